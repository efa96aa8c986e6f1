/**
 * The e2e harness for other packages (`@mana/e2e/support`): the whole bots stack on real ports and a
 * Matrix chat with it. bench/ measures through the same stack the tests prove correct.
 */
export * from './bots-stack.ts';
export * from './bots-chat.ts';
export * from './delegated-stack.ts';
export * from './e2ee-client.ts';
export * from './runner-log.ts';
