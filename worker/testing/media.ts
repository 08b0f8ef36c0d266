import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Largest decoder output accepted, in bytes: one 4096x4096 RGB frame. */
const MAX_OUTPUT_BYTES = 4096 * 4096 * 3

/** Properties of a video's first video stream, as ffprobe reports them. */
export interface VideoProbe {
  codec: string
  width: number
  height: number
  pixFmt: string
  /** Frames that ffprobe decoded (`-count_frames`). */
  frames: number
  /** Duration of the container. */
  durationSeconds: number
}

interface FfprobeOutput {
  streams?: {
    codec_type?: string
    codec_name?: string
    width?: number
    height?: number
    pix_fmt?: string
    nb_read_frames?: string
  }[]
  format?: { duration?: string }
}

/**
 * Runs ffprobe on `path` and returns its first video stream's properties.
 *
 * @throws Error naming ffprobe when it is missing or fails, or when the file has no video stream.
 */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format']
  const stdout = await runTool('ffprobe', [...args, '-count_frames', path])
  const output = JSON.parse(stdout.toString('utf8')) as FfprobeOutput
  const stream = output.streams?.find((candidate) => candidate.codec_type === 'video')
  if (stream === undefined) throw new Error(`ffprobe found no video stream in ${path}`)

  return {
    codec: stream.codec_name ?? '',
    width: stream.width ?? 0,
    height: stream.height ?? 0,
    pixFmt: stream.pix_fmt ?? '',
    frames: Number(stream.nb_read_frames ?? Number.NaN),
    durationSeconds: Number(output.format?.duration ?? Number.NaN),
  }
}

/**
 * Lists the types of the top-level boxes ("atoms") of an MP4 file in file order, such as
 * `['ftyp', 'moov', 'mdat']`.
 *
 * @throws Error when a box header is truncated or its size runs past the end of the file.
 */
export function topLevelAtoms(file: Uint8Array): string[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const types: string[] = []
  let offset = 0
  while (offset < file.byteLength) {
    if (offset + 8 > file.byteLength) throw new Error(`truncated box header at byte ${offset}`)
    const type = String.fromCharCode(...file.subarray(offset + 4, offset + 8))
    let size = view.getUint32(offset)
    // ISO/IEC 14496-12: size 1 means a 64-bit size follows the type, size 0 means "to the end".
    if (size === 1) {
      if (offset + 16 > file.byteLength) throw new Error(`truncated box header at byte ${offset}`)
      size = Number(view.getBigUint64(offset + 8))
    } else if (size === 0) {
      size = file.byteLength - offset
    }
    if (size < 8 || offset + size > file.byteLength) {
      throw new Error(`box ${type} at byte ${offset} has an invalid size ${size}`)
    }
    types.push(type)
    offset += size
  }
  return types
}

/** One decoded frame: RGB bytes, top row first. */
export interface DecodedFrame {
  width: number
  height: number
  rgb: Uint8Array
}

/**
 * Decodes frame `index` (0-based) of the video at `path` to RGB with ffmpeg.
 *
 * @throws Error naming ffmpeg or ffprobe when either is missing or fails, or when the video has
 * fewer than `index + 1` frames.
 */
export async function decodeFrame(path: string, index: number): Promise<DecodedFrame> {
  const sizeArgs = ['-v', 'error', '-select_streams', 'v:0', '-of', 'csv=p=0', '-show_entries']
  const sizeOutput = await runTool('ffprobe', [...sizeArgs, 'stream=width,height', path])
  const size = sizeOutput.toString('utf8')
  const [width, height] = size.trim().split(',').map(Number)
  if (width === undefined || height === undefined || !(width > 0 && height > 0)) {
    throw new Error(`ffprobe reported no frame size for ${path}: ${JSON.stringify(size)}`)
  }

  // The select filter passes only the frame whose number n equals `index`.
  const filter = `select=eq(n\\,${index})`
  const decodeArgs = ['-v', 'error', '-i', path, '-vf', filter, '-frames:v', '1']
  const rawArgs = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']
  const output = await runTool('ffmpeg', [...decodeArgs, ...rawArgs])
  if (output.byteLength !== width * height * 3) {
    throw new Error(`ffmpeg returned ${output.byteLength} bytes for frame ${index} of ${path}`)
  }
  const rgb = new Uint8Array(output.buffer, output.byteOffset, output.byteLength)
  return { width, height, rgb }
}

async function runTool(tool: string, args: string[]): Promise<Buffer> {
  try {
    const options = { encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES + 1 } as const
    const { stdout } = await run(tool, args, options)
    return stdout
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer }
    if (failure.code === 'ENOENT') {
      throw new Error(`${tool} not found: install ffmpeg (Debian package ffmpeg provides both)`)
    }
    const stderr = failure.stderr?.toString('utf8').trim()
    throw new Error(`${tool} failed: ${stderr || failure.message}`)
  }
}
