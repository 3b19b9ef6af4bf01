// fedkit/doctor: check a live IdP (and an RP page) the way Chrome will, and say what to fix.

export { doctor } from './doctor.js';
export { DEFAULT_RP_TIMEOUT_MS, DEFAULT_SETTLE_MS, doctorRp, type DoctorRpOptions, type RpDoctorReport } from './rp-page.js';
export { DEFAULT_RP_ORIGIN, type DoctorOptions, type DoctorSession } from './context.js';
export { fixFor } from './fixes.js';
export type { DoctorCheck, DoctorReport, DoctorRequest, Finding, FindingId, FindingLevel, FindingTarget } from './finding.js';
