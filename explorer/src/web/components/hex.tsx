/** A hash or address, shortened on screen; the full value in the title and for copy-paste (select the text). */
import { shortHex } from '../format/format.ts'

export function Hex({ value, keep = 4, full = false }: { value: string | null | undefined; keep?: number; full?: boolean }) {
  if (!value) return <span aria-label="none">—</span>
  return (
    <code class={full ? 'hex hex-full' : 'hex'} title={value}>
      {full ? value : shortHex(value, keep)}
    </code>
  )
}
