package staff_test

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/staffpass/staffpass/vc/staff"
)

func ExampleReadCSV() {
	// A mandatory training export, as a UK spreadsheet writes it.
	file := "\ufeffstaff_id,subject,training_provider,framework_version,fire_safety_level,fire_safety_completion_date,dbs_level\r\n" +
		"E1234,did:key:z6MkfeKSsuixZGE1igy7R9BNvi9AviNqKphpwT2medYmscd5,Riverside NHS Trust,CSTF England v1.1,1,20/05/2024,\r\n"
	_, err := staff.ReadCSV(strings.NewReader(file), staff.TypeMandatoryTraining)
	fmt.Println(err)

	file = strings.Replace(file, ",dbs_level", "", 1)
	file = strings.Replace(file, "2024,", "2024", 1)
	rows, _ := staff.ReadCSV(strings.NewReader(file), staff.TypeMandatoryTraining)
	issued, _ := staff.ParseDate("2025-03-03")
	row, err := staff.ParseRow(staff.TypeMandatoryTraining, rows[0], issued)
	if err != nil {
		fmt.Println(err)
		return
	}
	claims, _ := row.Claims(rand.Reader)
	r := claims.(*staff.MandatoryTraining).Records[0]
	fmt.Println(row.Line, row.StaffID, r.Subject, r.Level, r.CompletionDate)
	fmt.Println(row.IssuanceKey())
	// Output:
	// staff: row 1: dbs_level: is not a column of a MandatoryTrainingCredential file
	// 2 E1234 fire-safety 1 2024-05-20
	// E1234|MandatoryTrainingCredential|2024-05-20-d3024ec8
}
