package live

// WeekEnd exports weekEnd to the tests.
var WeekEnd = weekEnd

// MaxTopics exports maxTopics to the tests.
const MaxTopics = maxTopics
