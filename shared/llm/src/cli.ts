// The built-in fake on its own: `npm run fake -w @mana/llm [-- --port 11434]`. It answers both
// protocols with a canned "no real provider is configured" reply, streamed token by token.
import { cannedModels, startFakeLlmServer } from './fake/index.ts';

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 11434;
const fake = await startFakeLlmServer({ port, models: cannedModels() });
console.log(`[llm] fake provider on ${fake.url}`);
console.log(`[llm]   OLLAMA_URL=${fake.url}      models: ollama/fake, ollama/fake-vision`);
console.log(`[llm]   LLM_BASE_URL=${fake.openAiUrl}   models: openai/fake, openai/fake-vision`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
