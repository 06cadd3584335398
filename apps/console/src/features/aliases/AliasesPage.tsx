import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { ConfirmDialog } from '../../ui/Dialog';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { FormError, TextAreaField, TextField } from '../../ui/fields';
import { Form } from '../../ui/Form';
import { usePagedList, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';

type AliasDto = Schemas['AliasDto'];

/** Aliases (and catch-alls): search, add with one target per line, delete after a confirmation. */
export function AliasesPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const domainId = query.get('domainId') ?? '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const mayWrite = useMay('aliases:write');
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<AliasDto | null>(null);
  const [editing, setEditing] = useState<AliasDto | null>(null);
  const notify = useNotify();
  const list = usePagedList((cursor) => call(api.GET('/v1/aliases', { params: { query: { cursor, limit: 25, q: q || undefined, domainId: domainId || undefined } } })), `${q}|${domainId}`);
  const remove = useSubmit(async (alias: AliasDto) => {
    await call(api.DELETE('/v1/aliases/{id}', { params: { path: { id: alias.id } } }));
    setDeleting(null);
    notify(`Alias ${alias.address} deleted.`);
    list.reload();
  });
  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/aliases', { q: draft.trim(), domainId }));
  };
  const columns: Column<AliasDto>[] = [
    { header: 'Address', cell: (a) => (a.catchAll ? <>{a.address} <StatusBadge status="catch-all" /></> : a.address) },
    { header: 'Delivers to', cell: (a) => <span className="break">{a.targets.join(', ')}</span> },
    { header: 'Domain', cell: (a) => <Link to={`/domains/${a.domainId}`}>{a.address.split('@')[1]}</Link> },
    ...(mayWrite
      ? [
          {
            header: 'Actions',
            cell: (a: AliasDto) => (
              <span className="inline-actions">
                <Button className="btn-small" onClick={() => setEditing(a)} aria-label={`Change targets of ${a.address}`}>
                  Change targets
                </Button>
                <Button className="btn-small" variant="danger" onClick={() => setDeleting(a)} aria-label={`Delete ${a.address}`}>
                  Delete
                </Button>
              </span>
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <PageHeader
        title="Aliases"
        subtitle={domainId ? <Link to="/aliases">Show all aliases</Link> : 'Addresses that deliver to mailboxes or to addresses elsewhere.'}
        actions={
          mayWrite &&
          !adding && (
            <Button variant="primary" onClick={() => setAdding(true)}>
              New alias
            </Button>
          )
        }
      />
      {adding && (
        <section className="panel narrow">
          <h2>New alias</h2>
          <AliasForm
            onCancel={() => setAdding(false)}
            onCreated={(a) => {
              setAdding(false);
              notify(`Alias ${a.address} created.`);
              list.reload();
            }}
          />
        </section>
      )}
      <form className="filters filters-inline" role="search" onSubmit={search} aria-label="Search aliases">
        <TextField label="Search" name="q" type="search" placeholder="Part of the address" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <DataTable caption="Aliases" columns={columns} list={list} empty={<EmptyState title={q ? 'No alias matches.' : 'No aliases yet.'} />} />
      {editing && (
        <TargetsDialog
          alias={editing}
          onClose={() => setEditing(null)}
          onSaved={(a) => {
            setEditing(null);
            notify(`Targets of ${a.address} saved.`);
            list.reload();
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.address ?? ''}?`}
        confirmLabel="Delete alias"
        danger
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => deleting && void remove.run(deleting)}
        onCancel={() => {
          remove.clear();
          setDeleting(null);
        }}
      >
        <p>Mail for this address will be refused from now on.</p>
      </ConfirmDialog>
    </>
  );
}

const parseTargets = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);

/** Where an alias delivers, one address per line; the API refuses loops and unknown hosted targets next to the field. */
function TargetsDialog({ alias, onClose, onSaved }: { alias: AliasDto; onClose: () => void; onSaved: (a: AliasDto) => void }) {
  const [targets, setTargets] = useState(alias.targets.join('\n'));
  const submit = useSubmit(async () => onSaved(await call(api.PATCH('/v1/aliases/{id}', { params: { path: { id: alias.id } }, body: { targets: parseTargets(targets) } }))));
  return (
    <ConfirmDialog
      open
      title={`Targets of ${alias.address}`}
      confirmLabel="Save targets"
      busy={submit.busy}
      error={submit.error && submit.error.hasErrorsBeyond(['targets']) ? submit.error.message : null}
      onConfirm={() => void submit.run()}
      onCancel={onClose}
    >
      <TextAreaField label="Deliver to" name="targets" rows={4} spellCheck={false} value={targets} onChange={(e) => setTargets(e.target.value)} error={submit.fieldError('targets')} hint="One address per line." autoFocus />
    </ConfirmDialog>
  );
}

function AliasForm({ onCreated, onCancel }: { onCreated: (a: AliasDto) => void; onCancel: () => void }) {
  const [address, setAddress] = useState('');
  const [targets, setTargets] = useState('');
  const submit = useSubmit(async () => {
    onCreated(await call(api.POST('/v1/aliases', { body: { address: address.trim(), targets: parseTargets(targets) } })));
  });
  return (
    <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="New alias">
      <FormError message={submit.formError(['address', 'targets'])} />
      <TextField
        label="Address"
        name="address"
        required
        spellCheck={false}
        autoCapitalize="none"
        placeholder="info@bakkerij.example"
        value={address}
        onChange={(e) => setAddress(e.target.value)}
        error={submit.fieldError('address')}
        hint="“*@domain” is the catch-all: it receives mail for every address of the domain that does not exist."
      />
      <TextAreaField
        label="Deliver to"
        name="targets"
        rows={3}
        spellCheck={false}
        value={targets}
        onChange={(e) => setTargets(e.target.value)}
        error={submit.fieldError('targets')}
        hint="One address per line: our mailboxes or addresses elsewhere."
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={submit.busy}>
          Create alias
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </Form>
  );
}
