export * from './document.js';
export * from './edits.js';
export * from './history.js';
export * from './clipboard.js';
export * from './import-export.js';
export * from './changes.js';
export * from './search.js';
export * from './graph-view.js';
