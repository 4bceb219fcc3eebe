export * from './criteria';
export * from './sentence';
export * from './tally';
export * from './evaluate';
export * from './streak';
export * from './points';
export * from './insights';
export * from './ranking';
