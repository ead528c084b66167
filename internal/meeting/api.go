package meeting

import (
	"net/http"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

// The JSON API (/api/v1/meetings…): the same service calls as the pages.

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (h *Handlers) apiMine(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.Mine(r.Context(), principal(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"meetings": nonNil(ms)})
	return nil
}

func (h *Handlers) apiUnitList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.svc.UnitByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	ms, err := h.svc.ForUnit(r.Context(), p, u)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"meetings": nonNil(ms)})
	return nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.svc.Create(r.Context(), principal(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"meeting": m})
	return nil
}

// detail is a meeting with its agenda and participants.
type detail struct {
	Meeting      Meeting       `json:"meeting"`
	Rights       Rights        `json:"rights"`
	Agenda       Agenda        `json:"agenda"`
	Participants []Participant `json:"participants"`
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	p, id := principal(r), r.PathValue("id")
	m, ag, err := h.svc.Agenda(r.Context(), p, id)
	if err != nil {
		return err
	}
	ps, err := h.svc.Participants(r.Context(), p, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, detail{Meeting: m, Rights: h.svc.Rights(p, m), Agenda: ag, Participants: nonNil(ps)})
	return nil
}

// patch is a partial change of a meeting: absent fields keep their value.
type patch struct {
	Version   int        `json:"version"` // 0: no check
	Kind      *string    `json:"kind"`
	Title     *string    `json:"title"`
	Place     *string    `json:"place"`
	OnlineURL *string    `json:"online_url"`
	StartsAt  *time.Time `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at"`
	Status    *string    `json:"status"`
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	var in patch
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, id := principal(r), r.PathValue("id")
	m, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	next := Input{Kind: m.Kind, Title: m.Title, Place: m.Place, OnlineURL: m.OnlineURL, StartsAt: m.StartsAt, EndsAt: m.EndsAt, Status: m.Status}
	set(&next.Kind, in.Kind)
	set(&next.Title, in.Title)
	set(&next.Place, in.Place)
	set(&next.OnlineURL, in.OnlineURL)
	set(&next.Status, in.Status)
	if in.StartsAt != nil {
		next.StartsAt = *in.StartsAt
	}
	if in.EndsAt != nil {
		next.EndsAt = *in.EndsAt
	}
	version := in.Version
	if version == 0 {
		version = m.Version // the change applies to what was just read
	}
	m, err = h.svc.Update(r.Context(), p, id, version, next)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"meeting": m})
	return nil
}

func (h *Handlers) apiAddSession(w http.ResponseWriter, r *http.Request) error {
	var in SessionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := h.svc.AddSession(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

func (h *Handlers) apiAddItem(w http.ResponseWriter, r *http.Request) error {
	var in ItemInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := h.svc.AddItem(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

func (h *Handlers) apiUpdateItem(w http.ResponseWriter, r *http.Request) error {
	var in ItemInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.UpdateItem(r.Context(), principal(r), r.PathValue("id"), r.PathValue("item"), in); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("item")})
	return nil
}

func (h *Handlers) apiDeleteItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteItem(r.Context(), principal(r), r.PathValue("id"), r.PathValue("item")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiReorder(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Items []string `json:"items"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.Reorder(r.Context(), principal(r), r.PathValue("id"), r.PathValue("session"), in.Items); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": nonNil(in.Items)})
	return nil
}

func (h *Handlers) apiParticipants(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.Participants(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"participants": nonNil(ps), "counts": Count(ps)})
	return nil
}

func (h *Handlers) apiAddParticipant(w http.ResponseWriter, r *http.Request) error {
	var in ParticipantInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pt, err := h.svc.AddParticipant(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"participant": pt})
	return nil
}

func (h *Handlers) apiRemoveParticipant(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveParticipant(r.Context(), principal(r), r.PathValue("id"), r.PathValue("user")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handlers) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"user_id"` // empty: the caller
		Answer string `json:"answer"`
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.Answer(r.Context(), principal(r), r.PathValue("id"), in.UserID, in.Answer, in.Reason); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"answer": in.Answer})
	return nil
}

func (h *Handlers) apiReminders(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.Reminders(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"participants": nonNil(ps)})
	return nil
}

func (h *Handlers) apiSetCurrent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ItemID string `json:"item_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetCurrent(r.Context(), principal(r), r.PathValue("id"), in.ItemID); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"item_id": in.ItemID})
	return nil
}

func (h *Handlers) apiMinutes(w http.ResponseWriter, r *http.Request) error {
	p, id := principal(r), r.PathValue("id")
	mn, err := h.svc.Draft(r.Context(), p, id)
	if store.ErrorCode(err) == store.EFORBIDDEN {
		mn, err = h.svc.Final(r.Context(), p, id, 0) // participants read the finalized minutes
	}
	if err != nil {
		return err
	}
	vs, err := h.svc.Versions(r.Context(), p, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"minutes": mn, "versions": nonNil(vs)})
	return nil
}

func (h *Handlers) apiSaveMinutes(w http.ResponseWriter, r *http.Request) error {
	var in MinutesInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	mn, err := h.svc.SaveDraft(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"minutes": mn})
	return nil
}

func (h *Handlers) apiFinalize(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Version int `json:"version"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	mn, err := h.svc.Finalize(r.Context(), principal(r), r.PathValue("id"), in.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"minutes": mn})
	return nil
}
