/**
 * A test bot for the runtime's capabilities, hosted by the real runner process through
 * `BOT_MODULES` (exactly as an operator adds a bot of their own). Its data goes into the user's
 * `todo` stream (tasks with a `probe-` id), so tests can read what it wrote through sync.
 */
import { createHash } from 'node:crypto';
import { audioContent, defineBot } from '@mana/bot-runtime';

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
    {
      name: 'count',
      aliases: { de: ['zähle'], en: ['count'] },
      args: [{ name: 'n', kind: 'int' }],
      help: { de: 'Zählt in einer wachsenden Nachricht', en: 'Counts in one growing message' },
      async run(ctx, args) {
        const msg = await ctx.stream('0', { intervalMs: 500 });
        for (let i = 1; i <= args.int('n'); i++) {
          await new Promise((r) => setTimeout(r, 100));
          msg.update(String(i));
        }
        await msg.finish(`counted to ${args.int('n')}`);
        return undefined;
      },
    },
    {
      name: 'when',
      aliases: { de: ['wann'], en: ['when'] },
      args: [{ name: 'iso', kind: 'word' }],
      help: { de: 'Zeigt eine Zeit', en: 'Shows a time' },
      run: (ctx, args) => `${ctx.timezone}: ${ctx.formatDate(new Date(args.str('iso')), 'datetime')}`,
    },
    {
      name: 'beep',
      aliases: { de: ['piep'], en: ['beep'] },
      help: { de: 'Schickt eine Sprachnachricht', en: 'Sends a voice message' },
      async run(ctx) {
        const bytes = new Uint8Array(4096).map((_, i) => (i * 7) % 256);
        const mxc = await ctx.upload(bytes, { contentType: 'audio/ogg', filename: 'beep.ogg' });
        await ctx.sendContent(
          audioContent({ mxc, mimetype: 'audio/ogg', size: bytes.length, durationMs: 1000, body: 'beep' }),
        );
        return undefined;
      },
    },
    {
      name: 'watch',
      aliases: { de: ['beobachte'], en: ['watch'] },
      help: { de: 'Beobachtet deine Aufgaben', en: 'Watches your tasks' },
      async run(ctx) {
        await ctx.watch('todo');
        return 'watching your tasks';
      },
    },
  ],
  media: {
    accepts: ['image', 'voice'],
    async handle(_ctx, media) {
      const file = await media.download();
      const sha = createHash('sha256').update(file.bytes).digest('hex').slice(0, 16);
      return `got ${media.kind} ${file.contentType} ${file.bytes.length} bytes ${sha}`;
    },
  },
  async onDataChange(ctx, { roomId, changes }) {
    const ids = changes.map((c) => c.id).filter((id) => id.startsWith('watched-'));
    if (ids.length > 0) await ctx.post(roomId, `changed: ${ids.join(', ')}`);
  },
  reactions: {
    '👀': async (ctx, { target }) => `seen ${target} (${ctx.sender})`,
  },
});
