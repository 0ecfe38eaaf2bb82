/** `npm run openapi`: writes docs/api/openapi.json from the routes' schemas. */
import { writeFile } from 'node:fs/promises';
import { OPENAPI_FILE, generateOpenApi } from '../src/platform/http/openapi-document.ts';

await writeFile(OPENAPI_FILE, await generateOpenApi());
console.log(`wrote ${OPENAPI_FILE.pathname}`);
