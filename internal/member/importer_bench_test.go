package member

import (
	"context"
	"fmt"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// BenchmarkImport measures the importer's write path (new members: insert, version,
// batched audit) on SQLite; b.N records in one transaction.
func BenchmarkImport(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	tree(&testing.T{}, db)
	ctx := store.WithActor(context.Background(), "bench")
	recs := make([]Record, b.N)
	for i := range recs {
		recs[i] = rec("P.A", fmt.Sprintf("%08d", i), "Nguyễn Thị Hòa")
		recs[i].Normalize()
	}
	b.ResetTimer()
	err := db.Write(ctx, func(tx *store.Tx) error {
		im, err := NewImporter(ctx, tx, nil, "bench")
		if err != nil {
			return err
		}
		for _, r := range recs {
			if _, err := im.Put(ctx, r); err != nil {
				return err
			}
		}
		return im.Finish(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
