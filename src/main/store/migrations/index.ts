import type Database from 'better-sqlite3'
import { migration001Chat } from './001_chat.js'

/** One schema change. Migrations are numbered, append-only, and never edited once released. */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

/** Every migration in order. Append only. */
export const migrations: readonly Migration[] = [migration001Chat]
