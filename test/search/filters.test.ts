import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { search } from '../../src/search/search.js'
import { tree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase } from '../schema/schema-helpers.js'

it('filters choose among all the files that match, not among the best few dozen of them', async () => {
  // 80 TypeScript files that rank high for `widget` (it names their functions), and a few files of other kinds that
  // only mention it: with ten results asked for, the candidates ranked first are all TypeScript.
  const files: Record<string, string> = {}
  for (let index = 0; index < 80; index++) files[`src/widget${index}.ts`] = `export function widget${index}() {}\nexport function widget() {}\n`
  files['tools/build.py'] = 'def build(x):\n    return x  # makes a widget\n'
  files['tools/check.py'] = 'def check(x):\n    return x  # checks the widget\n'
  files['lib/kinds.rs'] = 'pub struct Thing { id: u32 }\n// holds a widget\npub fn widget() {}\n'
  files['test/widget.test.ts'] = "import { widget } from '../src/widget0.js'\nwidget()\n"
  files['docs/notes.md'] = '# Notes\n\nA widget, described.\n'
  files['main.ts'] = '// starts the widget\n'
  const root = tree(files)
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const paths = async (query: string) => (await search(db, query, { limit: 10 })).results.map((result) => result.path).sort()

  expect(await paths('widget')).toHaveLength(10)
  expect(await paths('widget lang:py')).toEqual(['tools/build.py', 'tools/check.py'])
  expect((await search(db, 'widget', { limit: 10, languages: ['rust', 'markdown'] })).results.map((result) => result.path).sort()).toEqual([
    'docs/notes.md',
    'lib/kinds.rs',
  ])
  expect(await paths('widget path:tools/**')).toEqual(['tools/build.py', 'tools/check.py'])
  expect(await paths('widget path:**/*.md')).toEqual(['docs/notes.md'])
  // SQL narrows `*.ts` to paths ending in .ts, all 80 of src/ too; `*` takes no folder, which leaves the one at the root.
  expect(await paths('widget path:*.ts')).toEqual(['main.ts'])
  expect(await paths('widget kind:struct')).toEqual(['lib/kinds.rs'])
  expect(await paths('widget tag:test')).toEqual(['test/widget.test.ts'])
  // Filters together: all of them at once.
  expect(await paths('widget lang:py path:**/check.py')).toEqual(['tools/check.py'])
  expect(await paths('widget lang:py kind:struct')).toEqual([])
  // No word: the filtered files, in path order.
  expect(await paths('lang:py')).toEqual(['tools/build.py', 'tools/check.py'])
  expect(await paths('path:lib/*')).toEqual(['lib/kinds.rs'])
  expect(await paths('kind:struct')).toEqual(['lib/kinds.rs'])
  // Found by its names alone (a def: term reads no content): the kind is that of the file's own definitions.
  expect(await paths('def:Thing kind:struct')).toEqual(['lib/kinds.rs'])
  expect(await paths('def:Thing kind:class')).toEqual([])
  // 81 files define widget, more than the candidates taken: the kind chooses among them all.
  expect(await paths('def:widget kind:struct')).toEqual(['lib/kinds.rs'])
})

it('an excluded term leaves its files out of all that match, not out of the best few dozen of them', async () => {
  // 70 of the 80 files that rank first for `gadget` also say `legacy` (in a docstring, part of the search document).
  const files: Record<string, string> = {}
  for (let index = 0; index < 80; index++) {
    files[`src/gadget${index}.ts`] = `${index < 70 ? '/** legacy */\n' : ''}export function gadget${index}() {}\nexport function gadget() {}\n`
  }
  files['notes.txt'] = 'a gadget, mentioned\n'
  const root = tree(files)
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results, total } = await search(db, 'gadget -legacy', { limit: 20 })
  expect(results.map((result) => result.path).sort()).toEqual([...Array.from({ length: 10 }, (_, index) => `src/gadget${70 + index}.ts`).sort(), 'notes.txt'].sort())
  expect(total).toBe(11)
  expect((await search(db, '-legacy', { limit: 100 })).total).toBe(11)
})
