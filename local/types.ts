import type { FieldConfidence, IntakeStatus, LabelFields, OcrLine } from '../functions/shared/contract';

/** One uploaded photo and where it ended (intakes table; one row per execution). */
export interface IntakeView {
  intakeId: string;
  executionArn: string;
  sourceKey: string;
  fileName: string;
  status: IntakeStatus;
  reason?: string;
  recordId?: string;
  reviewId?: string;
  productName?: string;
  overallConfidence?: number;
  startedAt: string;
  finishedAt?: string;
  duplicateOf?: string;
}

/** A review item as reviewers see it. The task token never leaves the server side. */
export interface ReviewView {
  reviewId: string;
  executionArn: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
  reason: string;
  imageKey: string;
  sourceKey: string;
  fields: Partial<LabelFields>;
  confidence: Record<string, FieldConfidence>;
  overallConfidence: number;
  ocrLines: OcrLine[];
  imageWidth: number;
  imageHeight: number;
  createdAt: string;
  decidedAt?: string;
  reviewer?: string;
  corrections?: Partial<LabelFields>;
  rejectReason?: string;
}

/** A saved reagent record (records table). */
export interface RecordView {
  recordId: string;
  status: 'SAVED';
  fields: Partial<LabelFields>;
  confidence: Record<string, FieldConfidence>;
  overallConfidence: number;
  sourceKey: string;
  imageKey: string;
  executionArn: string;
  reader: string;
  modelId?: string;
  attempts: number;
  reviewed: boolean;
  reviewer?: string;
  savedAt: string;
}
