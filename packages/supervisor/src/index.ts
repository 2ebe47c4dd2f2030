export { BackendSupervisor, backoffDelay } from './backend-supervisor.js';
export { Supervisor, SupervisorError } from './supervisor.js';
export type { SupervisorOptions } from './supervisor.js';
export { systemClock } from './types.js';
export type {
  BackendSpec,
  Clock,
  Connection,
  Connector,
  HealthPolicy,
  RestartPolicy,
  SupervisedState,
  SupervisorEvent,
} from './types.js';
