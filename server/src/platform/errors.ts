/**
 * One error model: AppError(code, message, details). Stable string codes map to HTTP statuses
 * in one table; the error handler in app.ts is the only place that turns errors into responses.
 */

export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_body: 400,
  validation_failed: 400,
  payload_too_large: 400,
  too_many_events: 400,
  no_user_anon_id: 400,
  missing_event: 400,
  invalid_field: 400,
  /** The database refused an event's data even alone (the rest of its batch was stored). */
  unstorable_event: 400,
  unknown_sku: 400,
  currency_mismatch: 400,
  location_not_in_channel: 400,
  url_too_long: 414,
  unsupported_encoding: 415,
  unauthorized: 401,
  invalid_write_key: 401,
  invalid_customer_token: 401,
  forbidden: 403,
  customer_token_required: 403,
  source_not_linked: 403,
  not_found: 404,
  profile_not_found: 404,
  source_not_found: 404,
  token_not_found: 404,
  workspace_not_found: 404,
  channel_not_found: 404,
  location_not_found: 404,
  category_not_found: 404,
  product_not_found: 404,
  variant_not_found: 404,
  cart_not_found: 404,
  order_not_found: 404,
  reservation_not_found: 404,
  promotion_not_found: 404,
  dead_letter_not_found: 404,
  conflict: 409,
  duplicate_sku: 409,
  insufficient_stock: 409,
  cart_conflict: 409,
  cart_empty: 409,
  cart_closed: 409,
  product_unavailable: 409,
  promotion_unavailable: 409,
  coupon_denied: 409,
  price_changed: 409,
  invalid_transition: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Compile-time exhaustiveness check for switches over unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
