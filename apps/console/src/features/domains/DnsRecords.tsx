import { api, call } from '../../api/client';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNotice, Loading } from '../../ui/feedback';
import { useLoad } from '../../ui/hooks';

const PURPOSE: Record<string, string> = {
  mx: 'Mail for the domain comes to us',
  spf: 'Our servers may send for the domain (SPF)',
  dkim: 'Key that checks our signatures (DKIM)',
  dmarc: 'What receivers do with unsigned mail (DMARC)',
};

/** The records the customer publishes at their DNS host, each with its own copy button, and the whole zone-file snippet. */
export function DnsRecords({ domainId }: { domainId: string }) {
  const dns = useLoad(() => call(api.GET('/v1/domains/{id}/dns-records', { params: { path: { id: domainId } } })), domainId);
  if (dns.error) return <ErrorNotice error={dns.error} onRetry={dns.reload} />;
  if (!dns.data) return <Loading />;
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">DNS records to publish</caption>
          <thead>
            <tr>
              <th scope="col">Purpose</th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {dns.data.records.map((r) => (
              <tr key={r.purpose}>
                <td data-label="Purpose">
                  <div>{PURPOSE[r.purpose] ?? r.purpose}</div>
                </td>
                <td data-label="Name">
                  <div className="inline-actions">
                    <code className="break">{r.name}</code> <CopyButton value={r.name} label={`${r.purpose.toUpperCase()} record name`} />
                  </div>
                </td>
                <td data-label="Type">
                  <div>
                    {r.type}
                    {r.priority !== null && ` ${r.priority}`}
                  </div>
                </td>
                <td data-label="Value">
                  <div className="inline-actions">
                    <code className="break">{r.value}</code> <CopyButton value={r.value} label={`${r.purpose.toUpperCase()} record value`} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>As zone-file lines</summary>
        <pre className="zone-file">{dns.data.zoneFile}</pre>
        <CopyButton value={dns.data.zoneFile} label="zone-file lines" />
      </details>
    </>
  );
}
