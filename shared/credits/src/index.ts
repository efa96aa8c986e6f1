/**
 * Credits, the platform's currency: the operation catalogue (what costs what), the wire schemas of
 * auth's `/api/v1/credits`, and a typed client for it. Amounts are integer milli-credits.
 *
 * @example
 * import { createCreditsClient, getCreditCost, formatCredits } from '@mana/credits';
 * formatCredits(getCreditCost('ai_chat_ollama')); // '0.1'
 */
export {
  CREDIT_OPERATIONS,
  formatCredits,
  getCreditCost,
  getOperation,
  isOperation,
  LLM_TOKEN_PRICES,
  MILLI_PER_CREDIT,
  OPERATION_IDS,
  UnknownOperationError,
  type CreditCategory,
  type CreditOperation,
  type LlmModelClass,
  type LlmTokenPrice,
  type OperationId,
} from './catalogue.ts';
export {
  balanceSchema,
  commitRequestSchema,
  consumeRequestSchema,
  consumeResponseSchema,
  CreditsErrCode,
  entryKindSchema,
  entrySchema,
  errorBodySchema,
  grantRequestSchema,
  grantResponseSchema,
  idempotencyKeySchema,
  insufficientBodySchema,
  MAX_AMOUNT,
  operationSchema,
  referenceSchema,
  releaseRequestSchema,
  reservationStatusSchema,
  reserveRequestSchema,
  reserveResponseSchema,
  settleResponseSchema,
  transactionsQuerySchema,
  transactionsResponseSchema,
  type Balance,
  type CommitRequest,
  type ConsumeRequest,
  type ConsumeResponse,
  type Entry,
  type EntryKind,
  type GrantRequest,
  type GrantResponse,
  type ReservationStatus,
  type ReserveRequest,
  type ReserveResponse,
  type SettleResponse,
  type TransactionsQuery,
  type TransactionsResponse,
} from './schemas.ts';
export {
  createCreditsClient,
  CreditsApiError,
  CreditsInsufficientError,
  type CreditsClient,
  type CreditsClientOptions,
} from './client.ts';
