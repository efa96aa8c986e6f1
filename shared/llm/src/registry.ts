/**
 * Several providers at once, each under its own name; models are named `provider/model`
 * (`ollama/llama3.2`, `openrouter/meta-llama/llama-3.1-8b-instruct`: the part before the first `/`
 * picks the provider, the rest is the provider's own name). The registry is itself an `LlmProvider`
 * whose model names carry the prefix.
 */
import { LlmError, LlmErrorCode } from './errors.ts';
import type { ChatRequest, LlmProvider, ModelInfo } from './types.ts';

export interface ModelRef {
  provider: string;
  model: string;
}

/** `ollama/llama3.2:3b` → `{ provider: 'ollama', model: 'llama3.2:3b' }`; undefined without a `/`. */
export function parseModelRef(id: string): ModelRef | undefined {
  const i = id.indexOf('/');
  if (i <= 0 || i === id.length - 1) return undefined;
  return { provider: id.slice(0, i), model: id.slice(i + 1) };
}

export interface ProviderStatus {
  provider: string;
  protocol: LlmProvider['protocol'];
  up: boolean;
  models: ModelInfo[];
  /** Why it is down (`LlmError.message`). */
  error?: string;
  /** `LlmError.code` when down. */
  code?: LlmErrorCode;
}

export interface LlmRegistry extends LlmProvider {
  readonly providers: readonly LlmProvider[];
  /** `provider/model` of the deployment's default, if one is set. */
  readonly defaultModel: string | undefined;
  provider(name: string): LlmProvider | undefined;
  /** Which provider a `provider/model` goes to; throws `LLM_UNKNOWN_MODEL`. */
  resolve(id: string): { provider: LlmProvider; model: string };
  /** Every provider asked at once; one being down does not hide the others. */
  status(options?: { signal?: AbortSignal }): Promise<ProviderStatus[]>;
}

export interface LlmRegistryOptions {
  providers: readonly LlmProvider[];
  defaultModel?: string | undefined;
}

/**
 * @example
 * const llm = createLlmRegistry({ providers: [createOllamaProvider({ baseUrl })] });
 * for await (const c of llm.chat({ model: 'ollama/llama3.2', messages, maxTokens: 256 })) …
 */
export function createLlmRegistry(options: LlmRegistryOptions): LlmRegistry {
  const byName = new Map<string, LlmProvider>();
  for (const p of options.providers) {
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(p.name))
      throw new TypeError(`provider name ${JSON.stringify(p.name)}: letters, digits, - and _ only`);
    if (byName.has(p.name)) throw new TypeError(`two providers are named ${JSON.stringify(p.name)}`);
    byName.set(p.name, p);
  }
  const providers = [...byName.values()];

  function resolve(id: string): { provider: LlmProvider; model: string } {
    const ref = parseModelRef(id);
    if (ref === undefined)
      throw new LlmError(
        LlmErrorCode.UnknownModel,
        `model ${JSON.stringify(id)} is not named provider/model`,
        {
          model: id,
        },
      );
    const provider = byName.get(ref.provider);
    if (provider === undefined)
      throw new LlmError(
        LlmErrorCode.UnknownModel,
        `no provider ${JSON.stringify(ref.provider)} (configured: ${providers.map((p) => p.name).join(', ') || 'none'})`,
        { provider: ref.provider, model: ref.model },
      );
    return { provider, model: ref.model };
  }

  async function status(opts: { signal?: AbortSignal } = {}): Promise<ProviderStatus[]> {
    return Promise.all(
      providers.map(async (p): Promise<ProviderStatus> => {
        try {
          return { provider: p.name, protocol: p.protocol, up: true, models: await p.models(opts) };
        } catch (e) {
          return {
            provider: p.name,
            protocol: p.protocol,
            up: false,
            models: [],
            error: e instanceof Error ? e.message : String(e),
            ...(e instanceof LlmError ? { code: e.code } : {}),
          };
        }
      }),
    );
  }

  return {
    name: 'registry',
    protocol: 'registry',
    providers,
    defaultModel: options.defaultModel || undefined,
    provider: (name) => byName.get(name),
    resolve,
    status,
    async *chat(req: ChatRequest) {
      const { provider, model } = resolve(req.model);
      yield* provider.chat({ ...req, model });
    },
    /** The models of every provider that answers; use `status()` to see which are down. */
    async models(opts = {}) {
      return (await status(opts)).flatMap((s) => s.models);
    },
  };
}
