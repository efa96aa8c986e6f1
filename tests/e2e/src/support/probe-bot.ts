/**
 * A test bot for the runtime's capabilities, hosted by the real runner process through
 * `BOT_MODULES` (exactly as an operator adds a bot of their own). Its data goes into the user's
 * `todo` stream (tasks with a `probe-` id), so tests can read what it wrote through sync.
 */
import { defineBot } from '@mana/bot-runtime';

export const bot = defineBot({
  id: 'probe',
  localpart: 'probe',
  displayName: 'Probe',
  description: { de: 'Testbot', en: 'Test bot' },
  apps: ['todo'],
  commands: [
    {
      name: 'echo',
      aliases: { de: ['sag'], en: ['echo'] },
      args: [{ name: 'text', kind: 'text' }],
      help: { de: 'Wiederholt', en: 'Repeats' },
      run: (_ctx, args) => `echo: ${args.str('text')}`,
    },
    {
      // Costs credits, writes, then waits without looking at its signal (as careless code would)
      // and tries to write again: what a cancelled or timed-out command must not manage.
      name: 'slow',
      aliases: { de: ['langsam'], en: ['slow'] },
      args: [{ name: 'ms', kind: 'int' }],
      help: { de: 'Arbeitet lange', en: 'Works for long' },
      cost: 'ai_task_breakdown',
      async run(ctx, args) {
        const store = await ctx.store('todo');
        const id = ctx.eventId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);
        await store.upsert('tasks', `probe-first-${id}`, {
          title: 'probe first',
          priority: 4,
          completed: false,
        });
        await store.flush();
        await new Promise((r) => setTimeout(r, args.int('ms')));
        await store.upsert('tasks', `probe-late-${id}`, {
          title: 'probe late',
          priority: 4,
          completed: false,
        });
        await store.flush();
        return 'slow work done';
      },
    },
  ],
  reactions: {
    '👀': async (ctx, { target }) => `seen ${target} (${ctx.sender})`,
  },
});
