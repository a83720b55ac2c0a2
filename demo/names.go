package demo

// OrgName is the name of the demo organisation, its top-level team.
const OrgName = "Northwind"

// EmailDomain is the domain of the members' e-mail addresses; .example is
// reserved for examples (RFC 2606), so no mail can reach anyone.
const EmailDomain = "northwind.example"

// leafSpec is a team without sub-teams: its name and either its share of
// the members (weight) or, for a small team, its fixed size.
type leafSpec struct {
	name   string
	weight float64
	small  int
}

// deptSpec is a department: a team under the organisation, with its teams.
type deptSpec struct {
	name  string
	teams []leafSpec
}

// structure is the organisation under OrgName: 5 departments and 24 teams,
// three of them smaller than the default k of 5. The analyst sits in the
// team named analystTeam.
var structure = []deptSpec{
	{"Engineering", []leafSpec{
		{name: "Platform", weight: 1.2}, {name: "Payments", weight: 1}, {name: "Mobile", weight: 0.9},
		{name: "Web", weight: 1.1}, {name: "Data", weight: 0.8}, {name: "Site Reliability", weight: 0.7},
		{name: "Security", small: 3},
	}},
	{"Product & Design", []leafSpec{
		{name: "Product Management", weight: 0.8}, {name: "Design", weight: 0.7}, {name: "User Research", small: 2},
	}},
	{"Sales & Marketing", []leafSpec{
		{name: "Enterprise Sales", weight: 1.1}, {name: "SMB Sales", weight: 1.3}, {name: "Sales Operations", weight: 0.6},
		{name: "Partnerships", weight: 0.6}, {name: "Growth Marketing", weight: 0.8},
	}},
	{"Customer Success", []leafSpec{
		{name: "Support EMEA", weight: 1.3}, {name: "Support Americas", weight: 1.3}, {name: "Onboarding", weight: 0.8},
		{name: "Customer Education", weight: 0.6},
	}},
	{"Operations", []leafSpec{
		{name: "Finance", weight: 0.8}, {name: "People", weight: 0.7}, {name: "Legal", small: 2},
		{name: "Facilities", weight: 0.5}, {name: "IT", weight: 0.7},
	}},
}

// The teams of the members Org shows: the employee's, the department the
// leader heads, and the analyst's.
const (
	employeeTeam = "Payments"
	leaderTeam   = "Engineering"
	analystTeam  = "People"
)

// firstNames and lastNames make the members' names; every pair is distinct.
var firstNames = []string{
	"Aisha", "Alex", "Amara", "Ana", "Anders", "Ayumi", "Bea", "Bram", "Carlos", "Chen",
	"Chloé", "Dana", "Daniel", "Dev", "Elif", "Emeka", "Emma", "Eva", "Farah", "Felix",
	"Fatima", "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jana", "Jonas",
	"Julia", "Kai", "Kemal", "Lars", "Leila", "Lena", "Lucas", "Maja", "Malik", "Marta",
	"Mateo", "Mei", "Mila", "Nadia", "Noah", "Nora", "Omar", "Priya", "Rafael", "Rosa",
	"Sami", "Sara", "Sofia", "Tariq", "Tomás", "Una", "Vera", "Wei", "Yara", "Zoe",
}

var lastNames = []string{
	"Abara", "Andersen", "Bakker", "Banerjee", "Berg", "Costa", "Dubois", "Eriksson", "Fischer", "García",
	"Hansen", "Horvat", "Ibrahim", "Jansen", "Kato", "Kowalski", "Larsen", "Lee", "Lindqvist", "Mensah",
	"Moreau", "Müller", "Nakamura", "Novak", "Okafor", "Olsen", "Park", "Peeters", "Petrov", "Quinn",
	"Rahman", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Takahashi", "Torres", "Van Dijk", "Virtanen",
	"Wagner", "Walsh", "Yilmaz", "Zhang", "Ziegler",
}

// recognitionValues are the value tags of recognitions, each with messages
// that go with it.
var recognitionValues = []struct {
	tag      string
	messages []string
}{
	{"teamwork", []string{
		"Thanks for jumping in when we were short-handed this week.",
		"You made the hand-over painless. Great teamwork!",
		"Thank you for pairing with me on that tricky problem.",
	}},
	{"ownership", []string{
		"You took the incident from start to finish. Thank you!",
		"Thanks for following up on every open point after the review.",
		"You owned the release and it went smoothly.",
	}},
	{"customer-focus", []string{
		"The customer wrote back to say how much your help meant.",
		"Thanks for going the extra mile on that escalation.",
	}},
	{"craft", []string{
		"The new dashboard is beautifully done.",
		"Your write-up was the clearest I have read in a while.",
		"Thanks for the careful review, it caught a real bug.",
	}},
	{"learning", []string{
		"Thanks for the lunch-and-learn, I use it every day now.",
		"You explained the new process so everyone got it.",
	}},
}

// positiveComments, negativeComments and neutralComments are the comments
// that some answers carry, chosen by how the respondent feels.
var positiveComments = []string{
	"Good week, the team really pulled together.",
	"I like the new way we plan our sprints.",
	"Feeling energised after the offsite.",
	"Clear priorities this week made a big difference.",
	"Thanks to everyone who helped with the launch.",
}

var negativeComments = []string{
	"Too many meetings, not enough time to do the actual work.",
	"Priorities keep changing and it is hard to keep up.",
	"I could use more feedback on how I am doing.",
	"The tooling slows us down a lot.",
	"Workload has been heavy for weeks now.",
}

var neutralComments = []string{
	"Busy week, nothing special to report.",
	"Curious to see what comes out of the reorganisation.",
	"Would be nice to hear more about the roadmap.",
}
