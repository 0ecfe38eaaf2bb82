/** `npm run openapi`: writes docs/api/openapi.json from the routes' schemas. */
import { writeFile } from 'node:fs/promises';
import { modules } from '../src/modules/index.ts';
import { OPENAPI_FILE, generateOpenApi } from '../src/platform/http/openapi-document.ts';

await writeFile(OPENAPI_FILE, await generateOpenApi(modules));
console.log(`wrote ${OPENAPI_FILE.pathname}`);
