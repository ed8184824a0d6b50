package payments

import (
	"fmt"
	"testing"
)

// TestInstalments lists standing orders' instalments: each frequency's period, the day of
// execution (the month's last day when it lacks it), the execution rule off weekends
// within the start and end, and nothing after the end.
func TestInstalments(t *testing.T) {
	for _, tc := range []struct {
		s     Schedule
		until string
		want  string
	}{
		// 2027-01-01 is a Friday.
		{Schedule{StartDate: "2027-01-01", Frequency: "Daily"}, "2027-01-05",
			"[{2027-01-01 2027-01-01} {2027-01-02 2027-01-04} {2027-01-03 2027-01-04} {2027-01-04 2027-01-04} {2027-01-05 2027-01-05}]"},
		{Schedule{StartDate: "2027-01-01", Frequency: "Daily", ExecutionRule: "preceding"}, "2027-01-04",
			"[{2027-01-01 2027-01-01} {2027-01-02 2027-01-01} {2027-01-03 2027-01-01} {2027-01-04 2027-01-04}]"},
		{Schedule{StartDate: "2027-01-04", Frequency: "Weekly"}, "2027-01-25",
			"[{2027-01-04 2027-01-04} {2027-01-11 2027-01-11} {2027-01-18 2027-01-18} {2027-01-25 2027-01-25}]"},
		{Schedule{StartDate: "2027-01-04", Frequency: "EveryTwoWeeks", EndDate: "2027-02-01"}, "2027-12-31",
			"[{2027-01-04 2027-01-04} {2027-01-18 2027-01-18} {2027-02-01 2027-02-01}]"},
		// The 31st is each month's last day; 2027-01-31 is a Sunday, 2027-04-30 a Friday.
		{Schedule{StartDate: "2027-01-15", Frequency: "Monthly", DayOfExecution: "31", EndDate: "2027-05-15"}, "2027-12-31",
			"[{2027-01-31 2027-02-01} {2027-02-28 2027-03-01} {2027-03-31 2027-03-31} {2027-04-30 2027-04-30}]"},
		// A day before the start in the first month is not made.
		{Schedule{StartDate: "2027-01-15", Frequency: "Monthly", DayOfExecution: "1"}, "2027-03-31",
			"[{2027-02-01 2027-02-01} {2027-03-01 2027-03-01}]"},
		{Schedule{StartDate: "2027-01-20", Frequency: "Quarterly"}, "2027-12-31",
			"[{2027-01-20 2027-01-20} {2027-04-20 2027-04-20} {2027-07-20 2027-07-20} {2027-10-20 2027-10-20}]"},
		// 2027-07-10 is a Saturday and the end: the following Monday would cross it.
		{Schedule{StartDate: "2027-03-10", Frequency: "EveryTwoMonths", EndDate: "2027-07-10"}, "2028-12-31",
			"[{2027-03-10 2027-03-10} {2027-05-10 2027-05-10} {2027-07-10 2027-07-10}]"},
		{Schedule{StartDate: "2027-06-01", Frequency: "SemiAnnual"}, "2028-06-01", "[{2027-06-01 2027-06-01} {2027-12-01 2027-12-01} {2028-06-01 2028-06-01}]"},
		{Schedule{StartDate: "2027-02-28", Frequency: "Annual"}, "2029-12-31", "[{2027-02-28 2027-03-01} {2028-02-28 2028-02-28} {2029-02-28 2029-02-28}]"},
		// A move may not cross the end: the instalment stays on its Saturday.
		{Schedule{StartDate: "2027-01-01", Frequency: "Daily", EndDate: "2027-01-02"}, "2027-01-10", "[{2027-01-01 2027-01-01} {2027-01-02 2027-01-02}]"},
		{Schedule{StartDate: "2027-01-01", Frequency: "Weekly"}, "2026-12-31", "[]"},
	} {
		if got := fmt.Sprint(tc.s.Instalments(tc.until, 100)); got != tc.want {
			t.Errorf("%+v until %s:\n got %s\nwant %s", tc.s, tc.until, got, tc.want)
		}
	}
}

// TestDueAndEnded finds the instalment of a day and says when a standing order has none
// left.
func TestDueAndEnded(t *testing.T) {
	s := Schedule{StartDate: "2027-01-15", Frequency: "Monthly", DayOfExecution: "31", EndDate: "2027-03-15"}
	for _, tc := range []struct {
		day   string
		due   string
		ended bool
	}{
		{"2027-01-31", "", false}, // a Sunday: moved to Monday
		{"2027-02-01", "2027-01-31", false},
		{"2027-02-28", "", false},
		{"2027-03-01", "2027-02-28", true}, // the last instalment: none falls before the end
		{"2027-03-15", "", true},
		{"2027-03-31", "", true},
	} {
		in, ok := s.Due(tc.day)
		if got := map[bool]string{true: in.Key, false: ""}[ok]; got != tc.due || s.Ended(tc.day) != tc.ended {
			t.Errorf("%s: due %q ended %v, want %q %v", tc.day, got, s.Ended(tc.day), tc.due, tc.ended)
		}
	}
	if open := (Schedule{StartDate: "2027-01-01", Frequency: "Daily"}); open.Ended("2099-01-01") {
		t.Errorf("a standing order without an end ended")
	}
}
