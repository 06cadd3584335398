import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate } from '../../app/router';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { DetailList, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { Form } from '../../ui/Form';
import { FormError, TextAreaField, TextField } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { MarkdownView } from '../../ui/MarkdownView';
import { useNotify } from '../../ui/notices';

type VersionDto = Schemas['AgreementVersionDto'];
type Limits = Schemas['AgreementLimitsDto'];

const STARTER = `# No-spam service agreement

By signing, you agree that the mailboxes of your domains will not send unsolicited bulk e-mail.

1. You send mail only to people who asked for it.
2. You keep your passwords safe and tell us at once when one leaks.
3. We may suspend sending when these terms are broken.
`;
const DEFAULT_LIMITS: Limits = { messagesPerHour: 200, recipientsPerDay: 1000, recipientsPerMessage: 50 };

/** A draft is written here with a live preview of what customers will see; published versions are shown read-only. */
export function VersionPage({ id }: { id: string | null }) {
  const version = useLoad(() => (id ? call(api.GET('/v1/agreement-versions/{id}', { params: { path: { id } } })) : Promise.resolve(null)), id ?? 'new');
  if (id && version.error) return <ErrorNotice error={version.error} onRetry={version.reload} />;
  if (id && !version.data) return <Loading />;
  const v = version.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/agreement-versions">Agreement terms</Link>
      </p>
      {v?.status === 'published' ? <PublishedVersion version={v} /> : <DraftEditor version={v} onSaved={version.replace} />}
    </>
  );
}

function PublishedVersion({ version: v }: { version: VersionDto }) {
  return (
    <>
      <PageHeader
        title={
          <>
            {v.title} <StatusBadge status="active" label={`published #${v.number}`} />
          </>
        }
        subtitle={`Published ${formatDateTime(v.publishedAt)}. It can no longer change; write a new version instead.`}
      />
      <div className="grid-2">
        <section className="panel" aria-labelledby="terms-title">
          <h2 id="terms-title">The text customers sign</h2>
          <MarkdownView source={v.text} />
        </section>
        <section className="panel" aria-labelledby="facts-title">
          <h2 id="facts-title">Facts</h2>
          <DetailList
            items={[
              ['SHA-256 of the text', <code className="break">{v.sha256}</code>],
              ['Messages per hour', v.limits.messagesPerHour.toLocaleString()],
              ['Recipients per day', v.limits.recipientsPerDay.toLocaleString()],
              ['Recipients per message', v.limits.recipientsPerMessage.toLocaleString()],
            ]}
          />
        </section>
      </div>
    </>
  );
}

const FIELDS = ['title', 'text', 'limits.messagesPerHour', 'limits.recipientsPerDay', 'limits.recipientsPerMessage', 'limits'];

function DraftEditor({ version, onSaved }: { version: VersionDto | null; onSaved: (v: VersionDto) => void }) {
  const mayWrite = useMay('agreements:write');
  const [title, setTitle] = useState(version?.title ?? '');
  const [text, setText] = useState(version?.text ?? STARTER);
  const [limits, setLimits] = useState<Record<keyof Limits, string>>(() => {
    const l = version?.limits ?? DEFAULT_LIMITS;
    return { messagesPerHour: String(l.messagesPerHour), recipientsPerDay: String(l.recipientsPerDay), recipientsPerMessage: String(l.recipientsPerMessage) };
  });
  const [publishing, setPublishing] = useState(false);
  const notify = useNotify();
  const body = () => ({
    title: title.trim(),
    text,
    limits: {
      messagesPerHour: Number(limits.messagesPerHour),
      recipientsPerDay: Number(limits.recipientsPerDay),
      recipientsPerMessage: Number(limits.recipientsPerMessage),
    },
  });
  /** A new draft gets its own address once saved; publishing goes there only when done, so the page never shows a stale draft. */
  const save = async (go: boolean): Promise<VersionDto> => {
    const saved = version
      ? await call(api.PATCH('/v1/agreement-versions/{id}', { params: { path: { id: version.id } }, body: body() }))
      : await call(api.POST('/v1/agreement-versions', { body: body() }));
    if (!version && go) navigate(`/agreement-versions/${saved.id}`, { replace: true });
    else if (version) onSaved(saved);
    return saved;
  };
  const submit = useSubmit(async () => {
    await save(true);
    notify('Draft saved.');
  });
  const publish = useSubmit(async () => {
    const saved = await save(false); // what is published is exactly what is on screen
    const published = await call(api.POST('/v1/agreement-versions/{id}/publish', { params: { path: { id: saved.id } } }));
    setPublishing(false);
    if (version) onSaved(published);
    else navigate(`/agreement-versions/${published.id}`, { replace: true });
    notify(`Version #${published.number} published.`);
  });
  const limitField = (key: keyof Limits, label: string) => (
    <TextField
      label={label}
      name={key}
      inputMode="numeric"
      value={limits[key]}
      onChange={(e) => setLimits({ ...limits, [key]: e.target.value })}
      error={submit.fieldError(`limits.${key}`) ?? publish.fieldError(`limits.${key}`)}
    />
  );
  const error = submit.error ?? publish.error;
  return (
    <>
      <PageHeader
        title={version ? <>{version.title} <StatusBadge status="draft" label="draft" /></> : 'New agreement version'}
        subtitle="Write in Markdown; the preview shows what customers will see."
      />
      <Form onSubmit={() => void submit.run()} error={error} aria-label="Agreement version">
        <FormError message={submit.formError(FIELDS)} />
        <TextField label="Title" name="title" required value={title} onChange={(e) => setTitle(e.target.value)} error={submit.fieldError('title')} />
        <div className="grid-2 editor">
          <TextAreaField label="Text (Markdown)" name="text" rows={18} value={text} onChange={(e) => setText(e.target.value)} error={submit.fieldError('text')} className="editor-text" />
          <section className="preview" aria-label="Preview">
            <p className="field-label">Preview</p>
            <MarkdownView source={text} className="preview-body" />
          </section>
        </div>
        <fieldset className="limits">
          <legend>Default sending limits of agreements signed on this version</legend>
          {limitField('messagesPerHour', 'Messages per hour')}
          {limitField('recipientsPerDay', 'Recipients per day')}
          {limitField('recipientsPerMessage', 'Recipients per message')}
        </fieldset>
        {mayWrite && (
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={submit.busy}>
              Save draft
            </Button>
            <Button onClick={() => setPublishing(true)} disabled={!text.trim() || !title.trim()}>
              Publish…
            </Button>
          </div>
        )}
      </Form>
      <ConfirmDialog
        open={publishing}
        title={`Publish “${title.trim()}”?`}
        confirmLabel="Publish version"
        busy={publish.busy}
        error={publish.error?.message}
        onConfirm={() => void publish.run()}
        onCancel={() => {
          publish.clear();
          setPublishing(false);
        }}
      >
        <p>A published text can never be changed. New signing links ask customers to sign it; agreements already signed stay as they are.</p>
      </ConfirmDialog>
    </>
  );
}
