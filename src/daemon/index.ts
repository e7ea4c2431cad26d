/** The serial AT daemon for boards running Edge Impulse firmware (issue 16). */
export { Daemon } from './daemon.ts';
export type { DaemonOptions, DaemonEvents } from './daemon.ts';
export { AtPort, commandName } from './at-port.ts';
export type { AtPortOptions, AtSerial, ExecOptions } from './at-port.ts';
export { BoardDriver, randomDeviceId } from './board.ts';
export type { BoardOptions, BoardSample, BoardSampleHooks, BoardSampleSettings } from './board.ts';
export { parseBoardConfig, isBlankDeviceId, versionAtLeast } from './board-config.ts';
export type { BoardConfig, BoardSensorInfo } from './board-config.ts';
export { takeAnswer, answerLines, isInvalidAnswer } from './at-answer.ts';
export { prepareBoardSample } from './sample-file.ts';
export type { PreparedSample } from './sample-file.ts';
export { runBoardSampleJob, checkBoardRequest } from './sample-job.ts';
export { listPorts, sysfsPorts, formatPorts } from './ports.ts';
export type { PortCandidate, PortListing } from './ports.ts';
export { parseDaemonPort } from './port-spec.ts';
export { AtTimeoutError, AtCommandError, BoardPortError, BoardProtocolError } from './errors.ts';
