// Renaming a class. The API has no rename, so the page rebuilds the bank from its own bank file
// with the new name: imported first under a temporary id (a refused file leaves the bank as it
// was), then the bank is replaced under its id and the copy removed. References keep their
// vectors; they show as "imported" afterwards (a bank file holds no images or masks).
import type { BankView, RefsegClient } from '../../shared/client/index.ts';

export async function renameClass(client: RefsegClient, bank: BankView, from: string, to: string): Promise<BankView> {
  if (bank.classes.some((c) => c.name === to)) throw new Error(`The bank already has a class "${to}".`);
  const classes = bank.classes.map((c) => (c.name === from ? to : c.name));
  if (bank.referenceCount === 0) {
    await client.deleteBank(bank.id);
    return client.createBank({ id: bank.id, name: bank.name, classes });
  }
  const file = await client.exportBank(bank.id);
  const renamed = { ...file, classes: file.classes.map((c) => (c.name === from ? { ...c, name: to } : c)) };
  const tmp = `${bank.id.slice(0, 50)}-rename-${Date.now().toString(36)}`.slice(0, 64);
  await client.importBank(renamed, { id: tmp, name: bank.name });
  await client.deleteBank(bank.id);
  const result = await client.importBank(renamed, { id: bank.id, name: bank.name });
  await client.deleteBank(tmp);
  return result;
}
