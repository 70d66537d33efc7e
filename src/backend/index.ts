// `@quincer/chat-backend`: the reference backend. The verifier it runs is `@quincer/visitor-verifier`.
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export { createApp, type CreateAppOptions, type QuincerApp } from './app.js';
export { DEFAULT_LIMITS, type BackendLimits, type LimitsOptions, type RateLimitName, type RateLimitSetting } from './limits/config.js';
export type { AdminConfigView, AdminVisitorSignInConfig } from './admin-config.js';
export type { FailureReason, RefusalReason } from '../protocol/reasons.js';
export type { AdminConfigUpdate, GeneratedSecretResponse, TestTokenRequest, TestTokenResponse } from '../protocol/admin.js';
export type { ChatRequest, ChatResponse, ChatReply, ChatStreamEvents, HistoryResponse, WidgetConfigResponse } from '../protocol/chat.js';
export { createMemoryRelayStore, type RelayStore, type RelayTransaction, type MemoryRelayStoreOptions } from './relay/store.js';
