/** Column helpers shared by every module's table definitions. */
import { customType, timestamp } from 'drizzle-orm/pg-core';

/** A 64-bit transaction id (`xid8`), carried in JS as a decimal string. */
export const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
