/**
 * Fixed locations the test support relies on. Paths are derived from this file's
 * location, so tests work from any working directory.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (the folder holding package.json with the workspaces). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Folder of the Python oslo.messaging scripts (scenario.py, rpc_server.py, rpc_client.py). */
export const OSLO_SCRIPTS_DIR = path.join(REPO_ROOT, 'apps/agent/test/oslo');

/** The built agent entry point. */
export const AGENT_MAIN = path.join(REPO_ROOT, 'apps/agent/dist/main.js');

/** The recorded oslo traffic and signing vectors the tests read (`shared/test/fixtures`, see its README). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'shared/test/fixtures');

/**
 * Debian's python has python3-oslo.messaging; the python3 first on PATH may be a pyenv
 * one without it, so never rely on PATH here.
 */
export const PYTHON = process.env['OSLOSCOPE_TEST_PYTHON'] ?? '/usr/bin/python3';

/** Where the broker's management API and AMQP port are for tests. */
export const MANAGEMENT_URL = process.env['OSLOSCOPE_TEST_MANAGEMENT_URL'] ?? 'http://127.0.0.1:15672';
export const BROKER_HOST = process.env['OSLOSCOPE_TEST_BROKER_HOST'] ?? '127.0.0.1:5672';
export const BROKER_USER = 'guest';
export const BROKER_PASSWORD = 'guest';
