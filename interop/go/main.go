// Command peers runs the real Go Snowflake libraries for snowid's interop
// check (make test-interop): bwmarrin/snowflake, sony/sonyflake (v1) and
// sony/sonyflake/v2.
//
//	peers generate   IDs made by each peer at known node numbers
//	peers decode     IDs read from stdin ({"<peer>": ["<id>", ...], ...}),
//	                 split by each peer's own functions
//
// Both print one JSON array of {peer, id, time_ms, nodes, sequence}: the
// peer's own decomposition, time in ms since the Unix epoch. IDs are
// decimal strings (JSON numbers lose precision past 2^53).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/bwmarrin/snowflake"
	"github.com/sony/sonyflake"
	sonyflakev2 "github.com/sony/sonyflake/v2"
)

// Peer names, as the driver (check.py) knows them.
const (
	bwmarrin     = "bwmarrin/snowflake"
	sonyV1       = "sony/sonyflake"
	sonyV2       = "sony/sonyflake/v2"
	sonyV2Legacy = "sony/sonyflake/v2 (StartTime 2014-09-01)"
)

// sonyflake v1's default StartTime; v2's default is 2025-01-01.
var sonyV1Start = time.Date(2014, 9, 1, 0, 0, 0, 0, time.UTC)

type decomposition struct {
	Peer     string            `json:"peer"`
	ID       string            `json:"id"`
	TimeMs   int64             `json:"time_ms"`
	Nodes    map[string]uint64 `json:"nodes"`
	Sequence uint64            `json:"sequence"`
}

func bwmarrinParts(id snowflake.ID) decomposition {
	return decomposition{bwmarrin, id.String(), id.Time(),
		map[string]uint64{"node": uint64(id.Node())}, uint64(id.Step())}
}

func sonyV1Parts(id uint64) decomposition {
	d := sonyflake.Decompose(id)
	ms := sonyV1Start.UnixMilli() + sonyflake.ElapsedTime(id).Milliseconds()
	return decomposition{sonyV1, strconv.FormatUint(id, 10), ms,
		map[string]uint64{"machine": d["machine-id"]}, d["sequence"]}
}

func sonyV2Parts(peer string, sf *sonyflakev2.Sonyflake, id int64) decomposition {
	d := sonyflakev2.Decompose(id)
	return decomposition{peer, strconv.FormatInt(id, 10), sf.ToTime(id).UnixMilli(),
		map[string]uint64{"machine": uint64(d["machine"])}, uint64(d["sequence"])}
}

func newSonyV2(start time.Time, machine int) *sonyflakev2.Sonyflake {
	sf, err := sonyflakev2.New(sonyflakev2.Settings{
		StartTime: start,
		MachineID: func() (int, error) { return machine, nil },
	})
	check(err)
	return sf
}

// Per node: enough IDs that the sequence wraps at least once when the
// machine is fast enough (bwmarrin: 4096 per ms; sonyflake: 256 per 10 ms).
const bwmarrinPerNode = 10000
const sonyPerMachine = 600

func generate() []decomposition {
	var out []decomposition
	for _, n := range []int64{0, 1, 5<<5 | 7, 1023} { // 1023: max node
		node, err := snowflake.NewNode(n)
		check(err)
		for i := 0; i < bwmarrinPerNode; i++ {
			out = append(out, bwmarrinParts(node.Generate()))
		}
	}
	for _, m := range []uint16{0, 1, 0x0a01, 65535} { // 65535: max machine
		sf, err := sonyflake.New(sonyflake.Settings{
			MachineID: func() (uint16, error) { return m, nil },
		})
		check(err)
		for i := 0; i < sonyPerMachine; i++ {
			id, err := sf.NextID()
			check(err)
			out = append(out, sonyV1Parts(id))
		}
	}
	for _, m := range []int{0, 65535} {
		for _, p := range []struct {
			name  string
			start time.Time
		}{{sonyV2, time.Time{}}, {sonyV2Legacy, sonyV1Start}} {
			sf := newSonyV2(p.start, m)
			for i := 0; i < sonyPerMachine; i++ {
				id, err := sf.NextID()
				check(err)
				out = append(out, sonyV2Parts(p.name, sf, id))
			}
		}
	}
	return out
}

func decode(in map[string][]string) []decomposition {
	var out []decomposition
	v2 := map[string]*sonyflakev2.Sonyflake{
		sonyV2:       newSonyV2(time.Time{}, 0),
		sonyV2Legacy: newSonyV2(sonyV1Start, 0),
	}
	for peer, ids := range in {
		for _, s := range ids {
			switch peer {
			case bwmarrin:
				id, err := snowflake.ParseString(s)
				check(err)
				out = append(out, bwmarrinParts(id))
			case sonyV1:
				id, err := strconv.ParseUint(s, 10, 64)
				check(err)
				out = append(out, sonyV1Parts(id))
			case sonyV2, sonyV2Legacy:
				id, err := strconv.ParseInt(s, 10, 64)
				check(err)
				out = append(out, sonyV2Parts(peer, v2[peer], id))
			default:
				check(fmt.Errorf("unknown peer %q", peer))
			}
		}
	}
	return out
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func main() {
	var out []decomposition
	switch {
	case len(os.Args) == 2 && os.Args[1] == "generate":
		out = generate()
	case len(os.Args) == 2 && os.Args[1] == "decode":
		var in map[string][]string
		check(json.NewDecoder(os.Stdin).Decode(&in))
		out = decode(in)
	default:
		fmt.Fprintln(os.Stderr, "usage: peers generate | peers decode < ids.json")
		os.Exit(2)
	}
	check(json.NewEncoder(os.Stdout).Encode(out))
}
