export { LmmsClient, type ClientOptions, type FollowOptions, type SubmitOptions, type Transport } from './client.js';
export { connect, connectDetailed, type ConnectOptions, type Connection } from './connect.js';
export { ApiError, JobFailedError, ServerUnreachableError, isConnectionError } from './errors.js';
export type * from './types.js';
