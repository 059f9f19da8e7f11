/** Message signatures (docs/reference/message-signing.md): key file, verifier, signer. */

export { KeyFileError, createKeyRing, loadKeyFile, parseKeyFile, type KeyRing } from './key-file.js';
export { createVerifier, type Verifier, type VerifierOptions, type VerifyInput, type VerifyResult } from './verifier.js';
export { routingTargetOf } from './routing-target.js';
export { createSigner, signMessage, type Signer, type SignerInputs, type SignerOptions, type SignInnerOptions } from './signer.js';
export { DEFAULT_REPLAY_MEMORY, ReplayMemory } from './replay-memory.js';
