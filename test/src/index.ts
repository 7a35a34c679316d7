export type { FlowPeer, FlowPeerOptions, PeerMessage, PeerProblem, StartFlowPeer } from './peers/flow-peer.js';
export { startNodeRedFlow, shutdownNodeRed, nodeRedVersion } from './peers/node-red-peer.js';
export { startLoopEdgeFlow, missingNodeTypes, MissingNodeTypesError, type LoopEdgePeerOptions } from './peers/loopedge-peer.js';
