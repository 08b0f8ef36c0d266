import { sql } from 'drizzle-orm'
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/** Accounts that sign in with a username and an argon2id password hash. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The username as the user typed it; lookups ignore case. */
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    // `Alice` and `alice` are one account, so uniqueness is checked on the lower-cased name.
    uniqueIndex('users_username_lower_key').on(sql`lower(${table.username})`),
  ],
)

/** A row of `users`. */
export type UserRow = typeof users.$inferSelect
