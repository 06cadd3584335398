import { Agreement, AgreementStatus } from '../entities';
import { RelayLimits } from '../relay/relay-decision';

/** An agreement as the API shows it and as events record it (before/after). */
export interface AgreementView {
  id: string;
  customerId: string;
  versionId: string;
  invitationId: string | null;
  status: AgreementStatus;
  statusReason: string | null;
  statusChangedAt: Date;
  statusChangedBy: { type: string; id: string | null };
  signerName: string;
  signerEmail: string;
  signedAt: Date;
  signerIp: string | null;
  signerUserAgent: string | null;
  textSha256: string;
  limits: RelayLimits;
  clientNetworks: string[];
  supersededById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function agreementView(a: Agreement): AgreementView {
  return {
    id: a.id,
    customerId: a.customerId,
    versionId: a.versionId,
    invitationId: a.invitationId,
    status: a.status,
    statusReason: a.statusReason,
    statusChangedAt: a.statusChangedAt,
    statusChangedBy: { type: a.statusChangedByType, id: a.statusChangedById },
    signerName: a.signerName,
    signerEmail: a.signerEmail,
    signedAt: a.signedAt,
    signerIp: a.signerIp,
    signerUserAgent: a.signerUserAgent,
    textSha256: a.textSha256,
    limits: { messagesPerHour: a.messagesPerHour, recipientsPerDay: a.recipientsPerDay, recipientsPerMessage: a.recipientsPerMessage },
    clientNetworks: a.clientNetworks,
    supersededById: a.supersededById,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}
