import type { AppId, RowOf } from '@mana/sync-protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineBot, type CommandContext } from './bot.ts';
import type { StoredRow, TypedAppStore } from './ports.ts';
import { createTestHarness } from './testing.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';

// The type assertions below are checked by `tsc` (the package's typecheck includes its tests); the
// runtime part proves the typed view reads and writes the same rows as the untyped port.
async function addAndList(ctx: CommandContext): Promise<string> {
  const store = await ctx.store('todo');
  expectTypeOf(store).toEqualTypeOf<TypedAppStore<'todo'>>();
  expectTypeOf<Awaited<ReturnType<typeof store.list<'tasks'>>>>().toEqualTypeOf<
    StoredRow<'todo', 'tasks'>[]
  >();
  expectTypeOf<StoredRow<'todo', 'tasks'>['title']>().toEqualTypeOf<string | undefined>();
  expectTypeOf<StoredRow<'todo', 'tasks'>['dueDate']>().toEqualTypeOf<string | null | undefined>();
  expectTypeOf<Parameters<typeof store.upsert<'tasks'>>[2]>().toEqualTypeOf<
    Partial<RowOf<'todo', 'tasks'>>
  >();
  expectTypeOf<Parameters<TypedAppStore<'todo'>['delete']>[0]>().toEqualTypeOf<
    'tasks' | 'projects' | 'labels' | 'taskLabels' | 'reminders'
  >();
  expectTypeOf<Awaited<ReturnType<typeof ctx.store<'clock'>>>>().toEqualTypeOf<TypedAppStore<'clock'>>();
  expectTypeOf<Parameters<CommandContext['store']>[0]>().toEqualTypeOf<AppId>();

  await store.upsert('tasks', 't1', { title: 'Milch', priority: 2, completed: false, dueDate: null });
  const [task] = await store.list('tasks');
  const priority: number | undefined = task?.priority;
  return `${task?.title ?? '-'} ${priority ?? '-'} ${String(task?.dueDate)}`;
}

const bot = defineBot({
  id: 'todo',
  localpart: 'todo',
  displayName: 'Todo',
  description: { de: 'Test', en: 'Test' },
  apps: ['todo'],
  commands: [
    {
      name: 'peek',
      aliases: { de: ['peek'], en: ['peek'] },
      help: { de: 'Test', en: 'Test' },
      run: addAndList,
    },
  ],
});

describe('ctx.store', () => {
  it('returns the registry-typed view of the same rows the port stores', async () => {
    const h = createTestHarness({ bots: [bot], linked: [alice] });
    h.members.set(dm, [alice, '@todo:mana.test']);
    expect(await h.ask(alice, dm, 'peek')).toEqual(['Milch 2 null']);
    expect(h.stores.rows(alice, 'todo', 'tasks')).toEqual([
      expect.objectContaining({ id: 't1', title: 'Milch', priority: 2, completed: false }),
    ]);
  });
});
