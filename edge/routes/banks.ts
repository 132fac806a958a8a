// Banks of the calling tenant: create, list, view, delete, classes, and the portable bank file.
import { BankFileSchema } from '../../shared/schemas.ts';
import { AddClassesSchema, BankListSchema, BankParamsSchema, BankViewSchema, ClassParamsSchema, CreateBankSchema, ImportQuerySchema } from '../api/schemas.ts';
import type { EdgeServices } from '../context.ts';
import { tenantOf } from '../middleware/auth.ts';
import type { Router } from './router.ts';
import { jsonBody, jsonValue, params, query } from './validate.ts';

export function bankRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/banks',
      operationId: 'createBank',
      summary: 'Create an empty memory bank with its classes.',
      description: 'The bank takes the model id of the gpu-nodes; class order fixes detection labels.',
      tag: 'Banks',
      access: 'tenant',
      body: { content: { 'application/json': { schema: CreateBankSchema } } },
      responses: { 201: { description: 'Created.', schema: BankViewSchema, headers: { Location: 'URL of the new bank.' } } },
      problems: [409, 413, 415, 422, 503],
    },
    async (c) => {
      const input = await jsonBody(c, CreateBankSchema);
      const bank = await (await s.banks()).createBank(tenantOf(c), input);
      return c.json(bank, 201, { Location: `/v1/banks/${bank.id}` });
    },
  );

  router.add(
    { method: 'get', path: '/v1/banks', operationId: 'listBanks', summary: 'List your banks.', tag: 'Banks', access: 'tenant', responses: { 200: { description: 'Oldest first.', schema: BankListSchema } }, problems: [503] },
    async (c) => c.json({ banks: await (await s.banks()).listBanks(tenantOf(c)) }),
  );

  router.add(
    {
      method: 'get',
      path: '/v1/banks/:bankId',
      operationId: 'getBank',
      summary: 'A bank: classes, reference counts, per-class quality.',
      tag: 'Banks',
      access: 'tenant',
      params: BankParamsSchema,
      responses: { 200: { description: 'The bank.', schema: BankViewSchema } },
      problems: [404, 503],
    },
    async (c) => c.json(await (await s.banks()).getBank(tenantOf(c), params(c, BankParamsSchema).bankId)),
  );

  router.add(
    {
      method: 'delete',
      path: '/v1/banks/:bankId',
      operationId: 'deleteBank',
      summary: 'Delete a bank and all its references.',
      tag: 'Banks',
      access: 'tenant',
      params: BankParamsSchema,
      responses: { 204: { description: 'Deleted.' } },
      problems: [404, 503],
    },
    async (c) => {
      await (await s.banks()).deleteBank(tenantOf(c), params(c, BankParamsSchema).bankId);
      return c.body(null, 204);
    },
  );

  router.add(
    {
      method: 'post',
      path: '/v1/banks/:bankId/classes',
      operationId: 'addClasses',
      summary: 'Append classes to a bank (they take the next labels).',
      tag: 'Banks',
      access: 'tenant',
      params: BankParamsSchema,
      body: { content: { 'application/json': { schema: AddClassesSchema } } },
      responses: { 200: { description: 'The updated bank.', schema: BankViewSchema } },
      problems: [404, 409, 413, 415, 422, 503],
    },
    async (c) => {
      const { bankId } = params(c, BankParamsSchema);
      const { classes } = await jsonBody(c, AddClassesSchema);
      return c.json(await (await s.banks()).addClasses(tenantOf(c), bankId, classes));
    },
  );

  router.add(
    {
      method: 'delete',
      path: '/v1/banks/:bankId/classes/:className',
      operationId: 'removeClass',
      summary: 'Remove a class and its references; later classes move down one label.',
      tag: 'Banks',
      access: 'tenant',
      params: ClassParamsSchema,
      responses: { 200: { description: 'The updated bank.', schema: BankViewSchema } },
      problems: [404, 503],
    },
    async (c) => {
      const { bankId, className } = params(c, ClassParamsSchema);
      return c.json(await (await s.banks()).removeClass(tenantOf(c), bankId, className));
    },
  );

  router.add(
    {
      method: 'get',
      path: '/v1/banks/:bankId/export',
      operationId: 'exportBank',
      summary: 'Download the portable bank file (instance vectors, no images or masks).',
      tag: 'Banks',
      access: 'tenant',
      params: BankParamsSchema,
      responses: { 200: { description: 'The bank file.', schema: BankFileSchema, headers: { 'Content-Disposition': 'attachment; filename="<bankId>.refseg-bank.json"' } } },
      problems: [404, 503],
    },
    async (c) => {
      const { bankId } = params(c, BankParamsSchema);
      const file = await (await s.banks()).exportBank(tenantOf(c), bankId);
      return c.json(file, 200, { 'Content-Disposition': `attachment; filename="${bankId}.refseg-bank.json"` });
    },
  );

  router.add(
    {
      method: 'post',
      path: '/v1/banks/import',
      operationId: 'importBank',
      summary: 'Create a bank from a bank file.',
      description: 'A file made with another model id is refused (409 model-mismatch): its vectors cannot be compared with this model\'s.',
      tag: 'Banks',
      access: 'tenant',
      query: ImportQuerySchema,
      body: { content: { 'application/json': { schema: BankFileSchema } }, limit: 'bankFile' },
      responses: { 201: { description: 'The new bank.', schema: BankViewSchema, headers: { Location: 'URL of the new bank.' } } },
      problems: [409, 413, 415, 422, 503],
    },
    async (c) => {
      const options = query(c, ImportQuerySchema);
      // The bank service validates the file (and names the failing field).
      const file = await jsonValue(c);
      const bank = await (await s.banks()).importBank(tenantOf(c), file, options);
      return c.json(bank, 201, { Location: `/v1/banks/${bank.id}` });
    },
  );
}
