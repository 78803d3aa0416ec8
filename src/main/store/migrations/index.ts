import type Database from 'better-sqlite3'
import { migration001Chat } from './001_chat.js'
import { migration002Jobs } from './002_jobs.js'
import { migration003Settings } from './003_settings.js'
import { migration004Models } from './004_models.js'
import { migration005ChatBranchesSearch } from './005_chat_branches_search.js'
import { migration006MessageContextNote } from './006_message_context_note.js'
import { migration007ReplyBackendReasoning } from './007_reply_backend_reasoning.js'
import { migration008ReplyStats } from './008_reply_stats.js'
import { migration009ReplyBackendServer } from './009_reply_backend_server.js'
import { migration010ChatImportIndex } from './010_chat_import_index.js'

/** One schema change. Migrations are numbered, append-only, and never edited once released. */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

/** Every migration in order. Append only. */
export const migrations: readonly Migration[] = [
  migration001Chat,
  migration002Jobs,
  migration003Settings,
  migration004Models,
  migration005ChatBranchesSearch,
  migration006MessageContextNote,
  migration007ReplyBackendReasoning,
  migration008ReplyStats,
  migration009ReplyBackendServer,
  migration010ChatImportIndex,
]
