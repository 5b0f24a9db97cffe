import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/db/client.js';
import { generateOpenApiText } from './openapi.js';

const target = path.join(projectRoot, 'openapi', 'openapi.json');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, await generateOpenApiText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
