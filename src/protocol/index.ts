export * from './reasons.js';
export * from './chat.js';
export * from './signin.js';
export * from './jws.js';
export * from './admin.js';
