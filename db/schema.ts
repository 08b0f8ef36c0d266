// Every table, for drizzle's relational queries and for drizzle-kit, which reads this file.
export * from './tasks/table.js'
export * from './users/table.js'
