/** Everything the ollama bot says, in German and English. */
import type { Text } from '@mana/bot-runtime';

export const T = {
  garbage: {
    de: 'Das sieht nicht nach Text aus (Steuerzeichen oder kaputte Zeichen). Schreib deine Frage als normalen Text.',
    en: 'That does not look like text (control characters or broken characters). Please write your question as plain text.',
  },
  noModel: {
    de: 'Es ist kein KI-Modell eingerichtet (OLLAMA_URL oder LLM_BASE_URL). Es wurde nichts abgebucht.',
    en: 'No AI model is configured (OLLAMA_URL or LLM_BASE_URL). Nothing was charged.',
  },
  tooLong: {
    de: 'Deine Frage ist zu lang für eine Antwort ({tokens} Tokens). Kürze sie oder schreib „neu“, um den Verlauf zu vergessen. Es wurde nichts abgebucht.',
    en: 'Your question is too long for an answer ({tokens} tokens). Shorten it, or send “new” to forget the conversation. Nothing was charged.',
  },
  contextTooLong: {
    de: 'Das ist mehr, als {model} auf einmal lesen kann. Kürze die Frage oder schreib „neu“. Es wurde nichts abgebucht.',
    en: 'That is more than {model} can read at once. Shorten the question or send “new”. Nothing was charged.',
  },
  queued: {
    de: '⏳ Du hast schon {running} Antwort(en) laufen. Deine Frage ist Nummer {position} in der Warteschlange.',
    en: '⏳ You already have {running} answer(s) running. Your question is number {position} in the queue.',
  },
  queueFull: {
    de: 'Du hast schon {waiting} Fragen in der Warteschlange. Warte die Antworten ab (oder „stop“). Es wurde nichts abgebucht.',
    en: 'You already have {waiting} questions waiting. Wait for the answers (or send “stop”). Nothing was charged.',
  },
  stopped: { de: '⏹ abgebrochen', en: '⏹ stopped' },
  timedOut: { de: '⏹ abgebrochen: Zeitlimit', en: '⏹ stopped: time limit' },
  interrupted: {
    de: '⚠️ Diese Antwort wurde durch einen Neustart unterbrochen. Frag einfach noch einmal.',
    en: '⚠️ This answer was interrupted by a restart. Just ask again.',
  },
  interruptedMark: { de: '⚠️ unterbrochen (Neustart)', en: '⚠️ interrupted (restart)' },
  brokeOff: { de: '⚠️ Abbruch: {error}', en: '⚠️ broke off: {error}' },
  providerDown: {
    de: 'Der KI-Dienst ({provider}) ist gerade nicht erreichbar. Es wurde nichts abgebucht.',
    en: 'The AI service ({provider}) is not reachable right now. Nothing was charged.',
  },
  firstTokenTimeout: {
    de: '{model} hat nicht rechtzeitig angefangen zu antworten. Es wurde nichts abgebucht.',
    en: '{model} did not start answering in time. Nothing was charged.',
  },
  unknownModel: {
    de: 'Das Modell {model} gibt es nicht (mehr). „modelle“ zeigt die verfügbaren, „modell <Name>“ wählt eins. Es wurde nichts abgebucht.',
    en: 'The model {model} does not exist (any more). “models” lists the available ones, “model <name>” picks one. Nothing was charged.',
  },
  noVision: {
    de: '{model} kann keine Bilder ansehen. Wähle ein Modell mit Bildverständnis („modelle“ zeigt sie mit 👁). Es wurde nichts abgebucht.',
    en: '{model} cannot look at images. Pick a model that can (“models” marks them with 👁). Nothing was charged.',
  },
  failed: {
    de: 'Die KI hat mit einem Fehler geantwortet ({error}). Es wurde nichts abgebucht.',
    en: 'The AI answered with an error ({error}). Nothing was charged.',
  },
  modelsHeader: { de: 'Verfügbare Modelle:', en: 'Available models:' },
  modelsNone: {
    de: 'Gerade ist kein Modell erreichbar.',
    en: 'No model is reachable right now.',
  },
  yours: { de: 'deins', en: 'yours' },
  down: { de: '{provider} ist nicht erreichbar: {error}', en: '{provider} is down: {error}' },
  modelSet: { de: 'Dein Modell ist jetzt {model}.', en: 'Your model is now {model}.' },
  modelCurrent: {
    de: 'Dein Modell: {model}. Ändern: „modell <Name>“ (siehe „modelle“).',
    en: 'Your model: {model}. Change it: “model <name>” (see “models”).',
  },
  modelUnknown: {
    de: 'Das Modell „{model}“ kenne ich nicht. „modelle“ zeigt die verfügbaren.',
    en: 'I do not know the model “{model}”. “models” lists the available ones.',
  },
  modeSet: { de: 'Modus: {mode}.', en: 'Mode: {mode}.' },
  modeCurrent: {
    de: 'Dein Modus: {mode}. Möglich: {modes}.',
    en: 'Your mode: {mode}. Possible: {modes}.',
  },
  modeUnknown: {
    de: 'Den Modus „{mode}“ gibt es nicht. Möglich: {modes}.',
    en: 'There is no mode “{mode}”. Possible: {modes}.',
  },
  forgotten: {
    de: '🧹 Vergessen ({count} Nachrichten). Wir fangen neu an.',
    en: '🧹 Forgotten ({count} messages). We start afresh.',
  },
  allHeader: { de: 'Vergleich von {count} Modellen:', en: 'Comparison of {count} models:' },
  allLine: {
    de: '• {model}: {seconds} s, {tokens} Tokens{status}',
    en: '• {model}: {seconds} s, {tokens} tokens{status}',
  },
  statusProviders: { de: 'Anbieter:', en: 'Providers:' },
  statusUp: {
    de: '• {provider} ({protocol}): erreichbar, {count} Modelle',
    en: '• {provider} ({protocol}): up, {count} models',
  },
  statusDown: {
    de: '• {provider} ({protocol}): nicht erreichbar ({error})',
    en: '• {provider} ({protocol}): down ({error})',
  },
  statusYou: {
    de: 'Dein Modell: {model}, Modus: {mode}. Laufend: {running}, wartend: {waiting}.',
    en: 'Your model: {model}, mode: {mode}. Running: {running}, waiting: {waiting}.',
  },
  noImage: {
    de: 'Schick mir zuerst ein Bild, dann „bild <Frage>“ dazu. Es wurde nichts abgebucht.',
    en: 'Send me an image first, then “vision <question>” about it. Nothing was charged.',
  },
  imageQuestion: { de: 'Beschreibe dieses Bild.', en: 'Describe this image.' },
  imageTooLarge: {
    de: 'Das Bild ist zu groß ({mb} MB, höchstens {max} MB).',
    en: 'The image is too large ({mb} MB, at most {max} MB).',
  },
  answeredBy: {
    de: '(beantwortet von {model}, das Bilder sehen kann)',
    en: '(answered by {model}, which can see images)',
  },
} satisfies Record<string, Text>;

/** The system prompt of each mode (in English: models follow it best; they answer in the user's language). */
export const SYSTEM_PROMPTS = {
  default:
    'You are a helpful assistant in a Matrix chat. Answer concisely in the language of the question. Use Markdown; put code in fenced code blocks.',
  summarize:
    'Summarize the text the user sends: the key points as a short bullet list, in the language of the text.',
  translate:
    'Translate the text the user sends. German text into English, any other language into German. Reply with the translation only.',
  code: 'You are a senior software engineer. Answer with working code in fenced code blocks with the language named, and a brief explanation.',
  classify:
    'Classify the text the user sends: reply with one short category label on the first line, then one sentence of reasoning.',
} as const;
