/**
 * The todo bot: tasks in the user's `todo` sync stream, so the web app shows the same list.
 * Numbers (`erledigt 2`) refer to the list the bot last showed that user.
 */
import {
  CommandError,
  defineBot,
  hasStrings,
  html,
  type BotCommand,
  type CommandContext,
  type Json,
  type Lang,
  type StoredRow,
} from '@mana/bot-runtime';
import { LlmError } from '@mana/llm';
import { createHash } from 'node:crypto';
import { aiSteps, llmFromEnv, type LlmSource } from './ai.ts';
import { dayIn, formatDue, parseTask, parseWhen, shortTitle, splitTaskText } from './parse.ts';

const APP = 'todo';
const LAST_LIST = 'lastList';

/** A stable id from the command's event id: a re-run after a crash writes the same row. */
function idFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A task row, typed from the collections registry (`@mana/sync-protocol`). */
type Task = StoredRow<'todo', 'tasks'>;

function sortTasks(tasks: Task[]): Task[] {
  return [...tasks].sort(
    (a, b) =>
      (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') ||
      (a.priority ?? 4) - (b.priority ?? 4) ||
      (a.createdAt ?? '').localeCompare(b.createdAt ?? ''),
  );
}

async function openTasks(ctx: CommandContext, filter: (t: Task) => boolean = () => true): Promise<Task[]> {
  const store = await ctx.store(APP);
  const rows = await store.list('tasks');
  return sortTasks(rows.filter((t) => typeof t.title === 'string' && t.completed !== true && filter(t)));
}

function today(ctx: CommandContext): string {
  return dayIn(ctx.now, ctx.timezone);
}

const PRIO_MARK = ['', '🔴 ', '🟠 ', '🔵 ', ''];

/** Shows a numbered list and remembers it, so `done 2` means the second line. */
async function showList(ctx: CommandContext, title: string, tasks: Task[], empty: string) {
  await ctx.state.set(
    LAST_LIST,
    tasks.map((t) => t.id),
  );
  if (tasks.length === 0) return empty;
  const t0 = today(ctx);
  return html`<p><b>${title}</b></p><ol>${tasks.map((t) => {
    const due = t.dueDate ?? undefined;
    const overdue = due !== undefined && due < t0;
    return html`<li>${PRIO_MARK[t.priority ?? 4] ?? ''}${shortTitle(t.title ?? '')}${
      due ? html` — <i>${overdue ? '⚠ ' : ''}${formatDue(due, t.dueTime ?? undefined, ctx.lang, t0)}</i>` : ''
    }</li>`;
  })}</ol>`;
}

async function taskByNumber(ctx: CommandContext, n: number): Promise<Task> {
  const ids = (await ctx.state.get<string[]>(LAST_LIST)) ?? [];
  const id = ids[n - 1];
  const task = id ? await (await ctx.store(APP)).get('tasks', id) : undefined;
  if (!task || typeof task.title !== 'string') {
    throw new CommandError(`no task ${n} in last list`, {
      de: `Nummer ${n} gibt es in deiner letzten Liste nicht. Schreib „liste“ für die aktuelle Liste.`,
      en: `There is no number ${n} in your last list. Send “list” to see the current one.`,
    });
  }
  return task;
}

async function findOrCreateProject(
  ctx: CommandContext,
  name: string,
  create: boolean,
): Promise<string | undefined> {
  const store = await ctx.store(APP);
  const projects = await store.list('projects');
  const hit = projects.find((p) => typeof p.name === 'string' && p.name.toLowerCase() === name.toLowerCase());
  if (hit) return hit.id;
  if (!create) return undefined;
  const id = idFrom(ctx.sender, 'project', name.toLowerCase());
  await store.upsert('projects', id, { name });
  return id;
}

/**
 * A new task from a message: its first line (tags, dates and all) is the title, anything longer or
 * further down goes into the task's notes, so nothing the user wrote is lost.
 */
async function addTask(ctx: CommandContext, text: string) {
  const { title, notes } = splitTaskText(text);
  const parsed = parseTask(title, { now: ctx.now, timezone: ctx.timezone, lang: ctx.lang });
  const store = await ctx.store(APP);
  const projectId = parsed.project ? await findOrCreateProject(ctx, parsed.project, true) : undefined;
  const id = idFrom(ctx.eventId, 'task');
  await store.upsert('tasks', id, {
    title: parsed.title,
    priority: parsed.priority,
    completed: false,
    createdAt: ctx.now.toISOString(),
    ...(notes ? { notes } : {}),
    ...(parsed.dueDate ? { dueDate: parsed.dueDate } : {}),
    ...(parsed.dueTime ? { dueTime: parsed.dueTime } : {}),
    ...(projectId ? { projectId } : {}),
  });
  await store.flush();
  const due = parsed.dueDate ? formatDue(parsed.dueDate, parsed.dueTime, ctx.lang, today(ctx)) : undefined;
  const label = ctx.t({ de: 'Neue Aufgabe', en: 'New task' });
  const rest = notes
    ? ctx.t({
        de: 'Der Rest deiner Nachricht steht in den Notizen der Aufgabe.',
        en: 'The rest of your message is in the task’s notes.',
      })
    : undefined;
  return html`✅ ${label}: <b>${shortTitle(parsed.title)}</b>${due ? html` — ${ctx.t({ de: 'fällig', en: 'due' })} <i>${due}</i>` : ''}${
    parsed.priority < 4 ? ` (p${parsed.priority})` : ''
  }${parsed.project ? html` #${parsed.project}` : ''}${rest ? html`<br>${rest}` : ''}`;
}

const N = { name: 'n', kind: 'int', label: { de: 'Nummer', en: 'number' } } as const;

const baseCommands: BotCommand[] = [
  {
    name: 'add',
    aliases: { de: ['neu', 'hinzufügen'], en: ['add', 'new'] },
    args: [{ name: 'text', kind: 'text', label: { de: 'Aufgabe', en: 'task' } }],
    help: {
      de: 'Neue Aufgabe; !p1–!p4, @heute, @morgen, #projekt und Daten wie „Freitag 15 Uhr“ gehen auch. Einfacher Text ist auch eine Aufgabe.',
      en: 'New task; !p1–!p4, @today, @tomorrow, #project and dates like “friday 3pm” work. Plain text is a task too.',
    },
    cost: 'task_create',
    run: (ctx, args) => addTask(ctx, args.str('text')),
  },
  {
    name: 'list',
    aliases: { de: ['liste'], en: ['list', 'ls'] },
    help: { de: 'Alle offenen Aufgaben, nummeriert.', en: 'All open tasks, numbered.' },
    run: async (ctx) =>
      showList(
        ctx,
        ctx.t({ de: 'Offene Aufgaben', en: 'Open tasks' }),
        await openTasks(ctx),
        ctx.t({ de: 'Keine offenen Aufgaben. 🎉', en: 'No open tasks. 🎉' }),
      ),
  },
  {
    name: 'today',
    aliases: { de: ['heute'], en: ['today'] },
    help: { de: 'Heute fällig und überfällig.', en: 'Due today and overdue.' },
    run: async (ctx) => {
      const t0 = today(ctx);
      return showList(
        ctx,
        ctx.t({ de: 'Heute', en: 'Today' }),
        await openTasks(ctx, (t) => typeof t.dueDate === 'string' && t.dueDate <= t0),
        ctx.t({ de: 'Heute ist nichts fällig.', en: 'Nothing due today.' }),
      );
    },
  },
  {
    name: 'inbox',
    aliases: { de: ['eingang'], en: ['inbox'] },
    help: { de: 'Aufgaben ohne Projekt.', en: 'Tasks without a project.' },
    run: async (ctx) =>
      showList(
        ctx,
        'Inbox',
        await openTasks(ctx, (t) => !t.projectId),
        ctx.t({ de: 'Der Eingang ist leer.', en: 'The inbox is empty.' }),
      ),
  },
  {
    name: 'done',
    aliases: { de: ['erledigt', 'fertig'], en: ['done', 'complete'] },
    args: [N],
    help: { de: 'Hakt Aufgabe N aus der letzten Liste ab.', en: 'Completes task N of the last list.' },
    async run(ctx, args) {
      const task = await taskByNumber(ctx, args.int('n'));
      const store = await ctx.store(APP);
      await store.upsert('tasks', task.id, { completed: true, completedAt: ctx.now.toISOString() });
      await store.flush();
      await ctx.react('✅').catch(() => undefined);
      return html`☑️ ${ctx.t({ de: 'Erledigt', en: 'Done' })}: <s>${shortTitle(task.title ?? '')}</s>`;
    },
  },
  {
    name: 'delete',
    aliases: { de: ['löschen', 'loeschen'], en: ['delete', 'del', 'rm'] },
    args: [N],
    help: { de: 'Löscht Aufgabe N aus der letzten Liste.', en: 'Deletes task N of the last list.' },
    async run(ctx, args) {
      const task = await taskByNumber(ctx, args.int('n'));
      const store = await ctx.store(APP);
      await store.delete('tasks', task.id);
      await store.flush();
      return html`🗑️ ${ctx.t({ de: 'Gelöscht', en: 'Deleted' })}: ${shortTitle(task.title ?? '')}`;
    },
  },
  {
    name: 'projects',
    aliases: { de: ['projekte'], en: ['projects'] },
    help: { de: 'Deine Projekte mit offenen Aufgaben.', en: 'Your projects with open tasks.' },
    async run(ctx) {
      const store = await ctx.store(APP);
      const projects = (await store.list('projects')).filter(
        (p) => typeof p.name === 'string' && p.archived !== true,
      );
      if (projects.length === 0)
        return ctx.t({
          de: 'Noch keine Projekte. Lege eins an mit „neu Aufgabe #Projekt“.',
          en: 'No projects yet. Create one with “add task #project”.',
        });
      const open = await openTasks(ctx);
      return html`<p><b>${ctx.t({ de: 'Projekte', en: 'Projects' })}</b></p><ul>${projects.map(
        (p) => html`<li>${String(p.name)} (${open.filter((t) => t.projectId === p.id).length})</li>`,
      )}</ul>`;
    },
  },
  {
    name: 'project',
    aliases: { de: ['projekt'], en: ['project'] },
    args: [{ name: 'name', kind: 'text', label: { de: 'Name', en: 'name' } }],
    help: { de: 'Offene Aufgaben eines Projekts.', en: 'Open tasks of one project.' },
    async run(ctx, args) {
      const name = args.str('name').replace(/^#/, '');
      const id = await findOrCreateProject(ctx, name, false);
      if (!id)
        return ctx.t({ de: `Ein Projekt „${name}“ gibt es nicht.`, en: `There is no project “${name}”.` });
      return showList(
        ctx,
        `#${name}`,
        await openTasks(ctx, (t) => t.projectId === id),
        ctx.t({ de: 'Keine offenen Aufgaben darin.', en: 'No open tasks in it.' }),
      );
    },
  },
  {
    name: 'remind',
    aliases: { de: ['erinnere', 'erinnerung'], en: ['remind'] },
    args: [N, { name: 'when', kind: 'text', label: { de: 'Zeit', en: 'time' } }],
    help: {
      de: 'Erinnert dich hier an Aufgabe N, z. B. „erinnere 2 morgen 9 Uhr“.',
      en: 'Reminds you here of task N, e.g. “remind 2 tomorrow 9am”.',
    },
    async run(ctx, args) {
      const task = await taskByNumber(ctx, args.int('n'));
      const at = parseWhen(args.str('when'), { now: ctx.now, timezone: ctx.timezone, lang: ctx.lang });
      if (!at) {
        throw new CommandError('bad reminder time', {
          de: 'Die Zeit habe ich nicht verstanden. Beispiele: „in 10 Minuten“, „morgen 9 Uhr“, „Freitag 15:30“.',
          en: 'I did not understand the time. Examples: “in 10 minutes”, “tomorrow 9am”, “friday 3:30pm”.',
        });
      }
      const reminderId = idFrom(ctx.eventId, 'reminder');
      const store = await ctx.store(APP);
      await store.upsert('reminders', reminderId, { taskId: task.id, at: at.toISOString() });
      await store.flush();
      const data: Json = {
        roomId: ctx.roomId,
        userId: ctx.sender,
        taskId: task.id,
        reminderId,
        title: task.title ?? '',
      };
      await ctx.schedule('reminder', data, { jobId: `todo-reminder-${reminderId}`, at });
      const when = new Intl.DateTimeFormat(ctx.lang === 'de' ? 'de-DE' : 'en-US', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: ctx.timezone,
      }).format(at);
      return html`⏰ ${ctx.t({ de: 'Ich erinnere dich', en: 'I will remind you' })}: <b>${shortTitle(task.title ?? '')}</b> — ${when}`;
    },
  },
  {
    name: 'status',
    aliases: { de: ['status', 'stand'], en: ['status', 'stats'] },
    help: {
      de: 'Wie viel offen, heute fällig, überfällig und erledigt ist.',
      en: 'How much is open, due today, overdue and done.',
    },
    async run(ctx) {
      const store = await ctx.store(APP);
      const all = (await store.list('tasks')).filter((t) => typeof t.title === 'string');
      const t0 = today(ctx);
      const open = all.filter((t) => t.completed !== true);
      const dueToday = open.filter((t) => t.dueDate === t0).length;
      const overdue = open.filter((t) => typeof t.dueDate === 'string' && t.dueDate < t0).length;
      const done = all.length - open.length;
      return ctx.t(
        {
          de: '{open} offen · {today} heute fällig · {overdue} überfällig · {done} erledigt',
          en: '{open} open · {today} due today · {overdue} overdue · {done} done',
        },
        { open: open.length, today: dueToday, overdue, done },
      );
    },
  },
];

/** `zerlegen N`: the task split into subtasks by the deployment's LLM (`parentId` = the task). */
function breakdownCommand(llm: LlmSource): BotCommand {
  return {
    name: 'breakdown',
    aliases: { de: ['zerlegen', 'zerlege'], en: ['breakdown', 'split'] },
    args: [N],
    help: {
      de: 'Zerlegt Aufgabe N mit KI in Teilaufgaben.',
      en: 'Breaks task N into subtasks with AI.',
    },
    cost: 'ai_task_breakdown',
    // Without a provider nothing is reserved, so nothing can be charged.
    operation: () => (llm() ? 'ai_task_breakdown' : undefined),
    async run(ctx, args) {
      const provider = llm();
      if (!provider)
        return ctx.t({
          de: 'Es ist kein KI-Anbieter eingerichtet, darum kann ich nicht zerlegen. Es wurde nichts abgebucht.',
          en: 'No AI provider is configured, so I cannot break tasks down. Nothing was charged.',
        });
      const task = await taskByNumber(ctx, args.int('n'));
      let steps: string[];
      try {
        steps = await aiSteps(provider, task.title ?? '', ctx.signal);
      } catch (e) {
        if (!(e instanceof LlmError)) throw e;
        throw new CommandError(`breakdown: ${e.code} ${e.message}`, {
          de: 'Die KI ist gerade nicht erreichbar. Es wurde nichts abgebucht.',
          en: 'The AI is not reachable right now. Nothing was charged.',
        });
      }
      if (steps.length < 2) {
        ctx.meter(0); // nothing made: the hold goes back
        return ctx.t({ de: 'Da gibt es nichts zu zerlegen.', en: 'Nothing to break down there.' });
      }
      const store = await ctx.store(APP);
      for (const [i, step] of steps.entries()) {
        await store.upsert('tasks', idFrom(ctx.eventId, 'step', String(i)), {
          title: step,
          priority: task.priority ?? 4,
          completed: false,
          parentId: task.id,
          createdAt: ctx.now.toISOString(),
          ...(task.projectId ? { projectId: task.projectId } : {}),
        });
      }
      await store.flush();
      return html`🧩 ${ctx.t({ de: 'Teilaufgaben', en: 'Subtasks' })}: <ol>${steps.map((s) => html`<li>${s}</li>`)}</ol>`;
    },
  };
}

function isReminderData(
  d: Json,
): d is { roomId: string; userId: string; taskId: string; reminderId: string; title: string } {
  return hasStrings(d, 'roomId', 'userId', 'reminderId');
}

/** The todo bot; `llm` supplies the providers of `zerlegen` (default: `LLM_*` from the environment). */
export function createTodoBot(o: { llm?: LlmSource } = {}) {
  return defineBot({
    id: 'todo',
    localpart: 'todo',
    displayName: 'Todo',
    description: { de: 'Aufgaben, Projekte und Erinnerungen', en: 'Tasks, projects and reminders' },
    commands: [...baseCommands, breakdownCommand(o.llm ?? llmFromEnv)],
    examples: [
      { de: 'neu Milch kaufen @morgen', en: 'add Buy milk @tomorrow' },
      { de: 'liste', en: 'list' },
      { de: 'erledigt 1', en: 'done 1' },
    ],
    apps: [APP],
    fallback: (ctx, text) => addTask(ctx, text),
    fallbackWords: /^!p[1-4]$/i,
    jobs: {
      async reminder(ctx, data) {
        if (!isReminderData(data)) return;
        const lang: Lang = await ctx.lang(data.userId);
        const store = await ctx.store(data.userId, APP);
        const task = await store.get('tasks', data.taskId);
        if (task && task.completed === true) return;
        const title = typeof task?.title === 'string' ? task.title : data.title;
        await ctx.post(data.roomId, html`⏰ ${lang === 'de' ? 'Erinnerung' : 'Reminder'}: <b>${title}</b>`);
        await store.upsert('reminders', data.reminderId, { sentAt: ctx.now.toISOString() });
        await store.flush();
      },
    },
  });
}

export const todoBot = createTodoBot();
export const todoCommands: readonly BotCommand[] = todoBot.commands;
