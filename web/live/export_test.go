package live

// WeekEnd exports weekEnd to the tests.
var WeekEnd = weekEnd

// MaxTopics exports maxTopics to the tests.
const MaxTopics = maxTopics

// TopicsOf returns how many topics the clients of key hold in all.
func (h *Hub) TopicsOf(key string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for c := range h.clients {
		if c.viewer.Key == key {
			n += len(c.topics)
		}
	}
	return n
}
