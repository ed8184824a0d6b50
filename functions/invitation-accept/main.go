// Command invitation-accept is the Lambda function of the portal route "invitation-accept".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("invitation-accept") }
