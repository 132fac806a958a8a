// Files for trying the edge's curl walk-through (edge/README.md) without photos or model
// downloads: the stand-in models and a synthetic scene with reference images and masks.
//   npx tsx test/edge/walkthrough-files.ts <dir>
import { join, resolve } from 'node:path';
import { writeSceneFiles } from '../../gpu-node/standin/samples.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';

const dir = resolve(process.argv[2] ?? 'walkthrough');
const models = await generateStandins(join(dir, 'models'));
const scene = await writeSceneFiles(dir);
console.log(`Scene: ${scene.target}`);
for (const r of scene.references) console.log(`Reference (${r.class}): ${r.image}${r.maskJson ? `, mask ${r.maskJson}` : `, box ${JSON.stringify(r.box)}`}`);
console.log('\nStart refseg on the stand-in models with:');
console.log(`  REFSEG_SAM2=${models.sam2A.dir} REFSEG_DINOV2=${models.dino} REFSEG_ADMIN_KEY=<32+ characters> npm start`);
