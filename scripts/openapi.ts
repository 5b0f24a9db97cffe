import { buildApp } from '../src/app.js';

/** The OpenAPI document as the route schemas generate it, serialised the way it is committed. */
export async function generateOpenApiText(): Promise<string> {
  const app = await buildApp({ databasePath: ':memory:', logLevel: 'silent' });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
