import { formatBytes, usageRatio } from './format';

/** Storage in use against a limit (mailbox quota, domain storage); amber above 80 %, red above 95 %. */
export function UsageBar({ used, limit, label }: { used: number; limit: number | null; label: string }) {
  const ratio = usageRatio(used, limit);
  const text = ratio === null ? `${formatBytes(used)} used, no limit` : `${formatBytes(used)} of ${formatBytes(limit)} (${Math.round(ratio * 100)} %)`;
  const tone = ratio === null ? 'ok' : ratio >= 0.95 ? 'bad' : ratio >= 0.8 ? 'warn' : 'ok';
  return (
    <div className="usage">
      <div
        className={`usage-bar usage-${tone}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio === null ? undefined : Math.round(ratio * 100)}
        aria-valuetext={text}
      >
        <span style={{ width: `${(ratio ?? 0) * 100}%` }} />
      </div>
      <span className="usage-text">{text}</span>
    </div>
  );
}
