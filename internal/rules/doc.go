// Package rules is the pure core of quotacert: the verification engine — the
// six monthly checks of a placement (DOMAIN.md §3), listed once by Checks with
// their keys, labels, evidence and reasons — the statutory retirement age under
// the 2024 reform, the minimum-wage lookup, weights and equivalent persons, the
// levy estimate (§8), and the vocabulary the domain packages share: business
// years and their declaration window (§7), the declaration and review
// lifecycles (§5) and the registry certificate statuses.
//
// It is a pure function of its inputs: no I/O, no clock, no package-level
// mutable state. The same inputs always give the same grid, which is what
// makes a certified result reproducible and lets the web pages, the JSON API
// and `quotacert verify` agree. Callers (verifycase, the placement service)
// validate and convert their input; Verify trusts that dates are real dates.
//
// The central call is Verify(Case) Result. Result.Months holds the twelve
// months of the year, January first, each with the six checks, Passed,
// PendingCertificate, Weight and the figures its reasons quote; the Chinese
// reasons themselves come from MonthResult.Reasons, on demand, so that
// verifying a thousand placements for a summary allocates nothing.
//
// Decisions where DOMAIN.md leaves room (each is tested):
//
//   - A birthday on a day the target month lacks (31 January + 1 month, 29
//     February in a non-leap year) falls on that month's last day (民法典
//     art. 203), for age 16 and for the retirement date alike. On that day
//     the age is reached, so "younger than the retirement age on first(m)"
//     fails for a month whose first day is the retirement date.
//   - A contract's "start + 1 year − 1 day" takes the anniversary of 29
//     February as 1 March, so a contract from 2024-02-29 to 2025-02-28 is a
//     year.
//   - A manual certificate awaiting review does not make the certificate
//     check pass. A month that every other check passes and that such a
//     certificate would make pass is PendingCertificate (weight 0 until
//     approved, PendingWeight what approval would give); its reason is
//     "无有效残疾证（历史残疾证件待审核）".
//   - A month without wage records fails with the ordinary wage reason
//     ("工资 0.00 元低于最低工资标准 1780.00 元").
//   - Two minimum-wage entries with the same region and from: the later one
//     in the table wins, as a re-import overwrites.
//   - A certificate without a level weighs 1.
//   - FemaleRetirementAge 0 means the default group, 50.
//   - The levy estimate rounds half-up to the fen twice, visibly: the gross
//     amount, then the reduced amount. The ≤ 30-employee exemption and the
//     50%/90% reductions apply only when the caller says the reduction
//     period applies.
package rules
