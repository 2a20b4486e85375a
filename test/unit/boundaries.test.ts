/** The layer boundaries hold because lint fails on every crossing: each rule is shown to bite on a sample file. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The restricted-import messages lint reports for `code` placed at `file`. */
async function crossings(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  test('the API may not import activity code or mongoose', async () => {
    assert.equal(
      (
        await crossings(
          'src/api/routes/sample.ts',
          "import { createActivities } from '../../activities';\nexport const a = createActivities;\n",
        )
      ).length,
      1,
    );
    assert.equal((await crossings('src/api/routes/sample.ts', "import mongoose from 'mongoose';\nexport const m = mongoose;\n")).length, 1);
    assert.deepEqual(
      await crossings(
        'src/api/routes/sample.ts',
        "import { routeOrder } from '../../domain/routing/route';\nexport const r = routeOrder;\n",
      ),
      [],
    );
  });

  test('nothing outside src/db imports mongoose', async () => {
    assert.equal((await crossings('src/activities/sample.ts', "import mongoose from 'mongoose';\nexport const m = mongoose;\n")).length, 1);
    assert.deepEqual(await crossings('src/db/sample.ts', "import mongoose from 'mongoose';\nexport const m = mongoose;\n"), []);
  });

  test('the domain imports nothing with I/O', async () => {
    for (const source of ['../db/stores', '../activities', 'node:fs', 'mongoose', '@temporalio/client', '../workflows/order/messages']) {
      const found = await crossings('src/domain/sample.ts', `import * as x from '${source}';\nexport const y = x;\n`);
      assert.equal(found.length, 1, `src/domain importing ${source} passed lint`);
    }
    assert.deepEqual(await crossings('src/domain/sample.ts', "import { z } from 'zod';\nexport const s = z.string();\n"), []);
  });

  test('workflows import only the types of activities, and nothing from the database', async () => {
    assert.equal(
      (
        await crossings(
          'src/workflows/order/sample.ts',
          "import { createActivities } from '../../activities';\nexport const a = createActivities;\n",
        )
      ).length,
      1,
    );
    assert.deepEqual(
      await crossings(
        'src/workflows/order/sample.ts',
        "import type { Activities } from '../../activities';\nexport type A = Activities;\n",
      ),
      [],
    );
    assert.equal(
      (
        await crossings(
          'src/workflows/order/sample.ts',
          "import { createStores } from '../../db/stores';\nexport const s = createStores;\n",
        )
      ).length,
      1,
    );
  });
});
