package meeting

import (
	"time"
)

// Helpers the templates call: times in Zone, form values.

// When is the meeting's start as shown: "08:00 24/11/2026".
func (m Meeting) When() string { return clock(m.StartsAt, "15:04 02/01/2006") }

// Until is the meeting's end as shown.
func (m Meeting) Until() string { return clock(m.EndsAt, "15:04 02/01/2006") }

// StartsInput and EndsInput are the datetime-local values of the meeting form.
func (m Meeting) StartsInput() string { return LocalInput(m.StartsAt) }
func (m Meeting) EndsInput() string   { return LocalInput(m.EndsAt) }

// Upcoming reports whether the meeting has not ended yet.
func (m Meeting) Upcoming() bool { return m.EndsAt.After(time.Now()) }

// When is the session's start as shown.
func (s Session) When() string { return clock(s.StartsAt, "15:04 02/01/2006") }

// StartsInput is the datetime-local value of the session form.
func (s Session) StartsInput() string { return LocalInput(s.StartsAt) }

// Clock is the item's planned start as shown: "08:30".
func (it Item) Clock() string { return clock(it.Start, "15:04") }

// PlannedInput is the datetime-local value of the item's fixed start ("" when it follows).
func (it Item) PlannedInput() string {
	if it.PlannedStart == nil {
		return ""
	}
	return LocalInput(*it.PlannedStart)
}

// When is the time of an answer as shown.
func (p Participant) When() string {
	if p.AnsweredAt == nil {
		return ""
	}
	return clock(*p.AnsweredAt, "15:04 02/01/2006")
}

// When is the time the version was finalized, as shown.
func (v Version) When() string { return clock(v.FinalizedAt, "15:04 02/01/2006") }

// Saved is when the draft was last saved, as shown ("" for a generated draft).
func (mn Minutes) Saved() string { return clock(mn.UpdatedAt, "15:04 02/01/2006") }

func clock(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Zone).Format(layout)
}
