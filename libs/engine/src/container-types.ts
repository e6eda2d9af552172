/** What the container client takes and gives: specs, outcomes, paths read from images, running services. */
export interface ContainerFile {
  /** Absolute path in the container. */
  path: string;
  content: Buffer;
  mode: number;
}

export interface ContainerSpec {
  image: string;
  command: string[];
  /** Replaces the image's entrypoint; default: none, so the command runs as is. */
  entrypoint?: string[];
  env?: Record<string, string>;
  /** The user to run as; default: the image's. */
  user?: string;
  labels: Record<string, string>;
  /** `none`, `host`, or `container:<id>` to share another container's network namespace. */
  networkMode: string;
  files?: ContainerFile[];
  /** Volumes mounted into the container (a scenario's shared folder). */
  mounts?: Array<{ volume: string; path: string }>;
  name?: string;
  /** Linux capabilities added to the engine's default set (a scenario service that declares them; never a build). */
  capAdd?: string[];
  /** Host devices passed in, each at the same path. */
  devices?: string[];
}

export interface RunOutcome {
  exitCode: number;
  output: string;
  timedOut: boolean;
  seconds: number;
}

export interface PathInImage {
  type: string;
  permissions: string;
  uid: number;
  gid: number;
  /** The start of a file's content (up to 1 MB); undefined for directories. */
  content?: Buffer;
}

export interface RunningService {
  id: string;
  /** Runs a command in the service container; the outcome says whether it succeeded in time. */
  exec(command: string[], timeoutMs: number): Promise<RunOutcome>;
  running(): Promise<boolean>;
  logs(tailLines: number): Promise<string>;
  remove(): Promise<void>;
}

export interface ContainerClient {
  run(spec: ContainerSpec, timeoutMs: number, signal?: AbortSignal): Promise<RunOutcome>;
  readPath(image: string, path: string, labels: Record<string, string>): Promise<PathInImage | undefined>;
  startService(spec: ContainerSpec): Promise<RunningService>;
  /** Containers (running or not) with this label value, with all their labels; for clean-up. */
  listLabelled(key: string, value: string): Promise<Array<{ id: string; labels: Record<string, string> }>>;
  remove(id: string): Promise<void>;
  removeLabelled(key: string, value: string): Promise<number>;
  /** A new, empty volume carrying these labels; its name. */
  createVolume(labels: Record<string, string>): Promise<string>;
  removeVolume(name: string): Promise<void>;
  /** Volumes with this label value, with all their labels; for clean-up. */
  listLabelledVolumes(key: string, value: string): Promise<Array<{ name: string; labels: Record<string, string> }>>;
}
