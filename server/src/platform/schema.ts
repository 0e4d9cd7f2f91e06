/** Schema helpers shared by every module's route schemas. */
import { Type, type TSchema } from 'typebox';

/** A timestamp: a Date in code, an ISO 8601 string on the wire. */
export const DateTime = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
export const NullableDateTime = Type.Unsafe<Date | null>({ type: ['string', 'null'], format: 'date-time' });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. profile_not_found.' }),
      message: Type.String(),
      requestId: Type.Optional(Type.String()),
    }, { additionalProperties: true, description: 'Plus details of the error, e.g. field, index, rejected.' }),
  },
  { $id: 'ErrorResponse' },
);

/** Free-form JSON object (traits, properties, context). */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());
